"""The mutants of one source file: where each change goes, its text, and the mutated source."""

from __future__ import annotations

import ast
import difflib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

KINDS = ("compare", "boolop", "constant", "bool", "not", "return-none", "delete")
"""Mutant kinds: comparison flips, and/or swaps, integer constants ±1, True/False swaps,
dropped ``not``, ``return None`` and deleted statements."""

_FLIPS: dict[type[ast.cmpop], tuple[str, str]] = {
    ast.Lt: ("<", "<="),
    ast.LtE: ("<=", "<"),
    ast.Gt: (">", ">="),
    ast.GtE: (">=", ">"),
    ast.Eq: ("==", "!="),
    ast.NotEq: ("!=", "=="),
    ast.In: ("in", "not in"),
    ast.NotIn: ("not in", "in"),
    ast.Is: ("is", "is not"),
    ast.IsNot: ("is not", "is"),
}
_DELETABLE = (
    ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Raise, ast.Break, ast.Continue,
    ast.Delete,
)  # fmt: skip


_TABLE_ITEMS = 6


@dataclass(frozen=True)
class Mutant:
    """One change to one file: ``source`` is the whole mutated file."""

    path: str
    kind: str
    line: int
    end_line: int
    scope: str
    before: str
    after: str
    source: str
    original: str
    in_function: bool
    occurrence: int = 1

    @property
    def key(self) -> str:
        """A name that stays the same when unrelated lines move (used to list equivalents)."""
        suffix = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.path}::{self.scope}::{self.before} => {self.after}{suffix}"

    def diff(self) -> str:
        """The change as a unified diff without context lines."""
        lines = difflib.unified_diff(
            self.original.splitlines(),
            self.source.splitlines(),
            f"a/{self.path}",
            f"b/{self.path}",
            n=0,
            lineterm="",
        )
        return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Finder(ast.NodeVisitor):
    """Walks a module and yields (node span, replacement text, kind, scope, in_function)."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.starts = [0]
        for line in source.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.scope: list[str] = []
        self.in_function = False
        self.edits: list[tuple[int, int, str, str, ast.AST, str, bool]] = []

    def offset(self, line: int, col: int) -> int:
        return self.starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, start: int, end: int) -> str:
        return self.source[start:end].decode("utf-8")

    def add(self, start: int, end: int, new: str, kind: str, node: ast.AST) -> None:
        name = ".".join(self.scope) or "<module>"
        self.edits.append((start, end, new, kind, node, name, self.in_function))

    # scopes -------------------------------------------------------------------------------
    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.scope.append(node.name)
        was_in_function, self.in_function = self.in_function, True
        for statement in _without_docstring(node.body):
            self.visit(statement)
        self.in_function = was_in_function
        self.scope.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        for statement in _without_docstring(node.body):
            self.visit(statement)
        self.scope.pop()

    def visit_Module(self, node: ast.Module) -> None:
        for statement in _without_docstring(node.body):
            self.visit(statement)

    # nodes that are never mutated --------------------------------------------------------
    def visit_Import(self, node: ast.AST) -> None:
        return

    visit_ImportFrom = visit_Import
    visit_JoinedStr = visit_Import  # positions inside f-strings are unreliable before 3.12

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return
        self._maybe_delete(node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._maybe_delete(node)
            self.visit(node.value)

    def visit_arg(self, node: ast.arg) -> None:
        return  # annotations

    def _visit_collection(self, node: ast.Tuple | ast.List | ast.Set | ast.Dict) -> None:
        items = node.values if isinstance(node, ast.Dict) else node.elts
        if len(items) >= _TABLE_ITEMS and all(isinstance(i, ast.Constant) for i in items):
            return  # a data table (retention days, IBAN lengths): data, not logic
        self.generic_visit(node)

    visit_Tuple = visit_List = visit_Set = visit_Dict = _visit_collection

    # mutants -----------------------------------------------------------------------------
    def generic_visit(self, node: ast.AST) -> None:
        handled_elsewhere = isinstance(node, (ast.Assign, ast.AnnAssign))
        bare_constant = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if isinstance(node, _DELETABLE) and not handled_elsewhere and not bare_constant:
            self._maybe_delete(node)
        super().generic_visit(node)

    def _maybe_delete(self, node: ast.AST) -> None:
        if self.in_function and isinstance(node, _DELETABLE):
            start, end = self.span(node)
            self.add(start, end, "pass", "delete", node)

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            old, new = _FLIPS[type(op)]
            gap_start = self.span(operands[index])[1]
            gap_end = self.span(operands[index + 1])[0]
            gap = self.text(gap_start, gap_end)
            if old[0].isalpha():
                pattern = r"\b" + r"\s+".join(old.split()) + r"\b"
            else:
                pattern = rf"(?<![=<>!]){re.escape(old)}(?![=<>])"
            match = re.search(pattern, gap)
            if match is None:
                continue
            start = gap_start + len(gap[: match.start()].encode())
            end = gap_start + len(gap[: match.end()].encode())
            self.add(start, end, new, "compare", node)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        start, end = self.span(node)
        pieces, cursor = [], start
        for left, right in zip(node.values, node.values[1:], strict=False):
            gap_start, gap_end = self.span(left)[1], self.span(right)[0]
            gap = self.text(gap_start, gap_end)
            pieces.append(self.text(cursor, gap_start) + re.sub(rf"\b{old}\b", new, gap, count=1))
            cursor = gap_end
        pieces.append(self.text(cursor, end))
        self.add(start, end, "".join(pieces), "boolop", node)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            start, end = self.span(node)
            operand_start, _ = self.span(node.operand)
            prefix = re.sub(r"^not\s*", "", self.text(start, operand_start))
            self.add(start, end, prefix + self.text(operand_start, end), "not", node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        start, end = self.span(node)
        if isinstance(node.value, bool):
            self.add(start, end, str(not node.value), "bool", node)
        elif isinstance(node.value, int):
            self.add(start, end, str(node.value + 1), "constant", node)
            self.add(start, end, str(node.value - 1), "constant", node)

    def visit_Return(self, node: ast.Return) -> None:
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            start, end = self.span(value)
            self.add(start, end, "None", "return-none", node)
        self.generic_visit(node)


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def mutants(path: str, source: str, scopes: frozenset[str] | None = None) -> Iterator[Mutant]:
    """Yield the mutants of ``source`` (the file at ``path``), in file order.

    ``scopes`` limits them to the named top-level functions or classes (and what they contain).
    Mutants that do not compile are skipped.
    """
    data = source.encode("utf-8")
    finder = _Finder(data)
    finder.visit(ast.parse(source))
    seen: Counter[str] = Counter()
    for start, end, new, kind, node, scope, in_function in sorted(
        finder.edits, key=lambda e: (e[0], e[1])
    ):
        if scopes is not None and scope.split(".")[0] not in scopes:
            continue
        mutated = (data[:start] + new.encode() + data[end:]).decode("utf-8")
        try:
            compile(mutated, path, "exec")
        except SyntaxError:
            continue
        before, after = _one_line(finder.text(start, end)), _one_line(new)
        base = f"{scope}::{before} => {after}"
        seen[base] += 1
        yield Mutant(
            path=path,
            kind=kind,
            line=node.lineno,  # type: ignore[attr-defined]
            end_line=node.end_lineno,  # type: ignore[attr-defined]
            scope=scope,
            before=before,
            after=after,
            source=mutated,
            original=source,
            in_function=in_function,
            occurrence=seen[base],
        )
