"""The expression half of the Insights parser: token plumbing, names, projections and
expressions (operators, literals, function calls, structure access)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ...errors import MalformedQueryError
from . import _nodes as n
from ._diagnostics import malformed
from ._lexer import Kind, Lexer, Token
from ._periods import Period

__all__ = ["ExpressionParser"]

_T = TypeVar("_T")
_RESERVED = frozenset({"and", "or", "like", "in", "as", "by"})
_COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")
_NO_SPACE_AFTER = frozenset({"(", "["})
_NO_SPACE_BEFORE = frozenset({")", "]", ","})


class ExpressionParser:
    """Reads expressions from a query's tokens; the command parser builds on it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = Lexer(text)
        self.consumed: list[Token] = []
        self._lookahead: Token | None = None
        self.tok = self.lexer.next_token()

    # -- token plumbing -------------------------------------------------------------------
    def advance(self) -> Token:
        token = self.tok
        self.consumed.append(token)
        if self._lookahead is not None:
            self.tok, self._lookahead = self._lookahead, None
        else:
            self.tok = self.lexer.next_token()
        return token

    def at_end(self) -> bool:
        return self.tok.kind is Kind.END

    def peek(self) -> Token:
        if self._lookahead is None:
            self._lookahead = self.lexer.next_token()
        return self._lookahead

    def error(self, problem: str, token: Token | None = None) -> MalformedQueryError:
        token = token or self.tok
        return malformed(self.text, token.start, problem)

    def expected(self, what: str) -> MalformedQueryError:
        return self.error(f"Expected {what} but found {self.tok.describe()}")

    def expect_op(self, op: str) -> Token:
        if not self.tok.is_op(op):
            raise self.expected(f"'{op}'")
        return self.advance()

    def take_word(self, *words: str) -> Token | None:
        return self.advance() if self.tok.is_word(*words) else None

    def regex_token(self) -> Token:
        """The current ``/`` re-read as a regex literal, consumed."""
        if not self.tok.is_op("/"):
            raise self.expected("a /regular expression/")
        self._lookahead = None
        self.tok = self.lexer.regex_at(self.tok)
        return self.advance()

    def column_name(self, start: int) -> str:
        """The text of the tokens consumed since offset ``start``, blanks normalised."""
        parts: list[str] = []
        previous: Token | None = None
        for token in self.consumed:
            if token.start < start:
                continue
            if previous is not None and token.start > previous.end:
                tight = (
                    previous.text in _NO_SPACE_AFTER
                    or token.text in _NO_SPACE_BEFORE
                    or (token.text == "(" and previous.kind is Kind.NAME)
                )
                if not tight:
                    parts.append(" ")
            parts.append(token.text)
            previous = token
        return "".join(parts)

    # -- names and projections ------------------------------------------------------------
    def name(self) -> str:
        if self.tok.kind is Kind.NAME or self.tok.kind is Kind.QUOTED_NAME:
            return str(self.advance().value)
        raise self.expected("a field name")

    def field_name(self) -> n.FieldRef:
        token = self.tok
        return n.FieldRef(token.start, token.end, self.name())

    def projections(self) -> tuple[n.Projection, ...]:
        return self.comma_list(self.projection)

    def comma_list(self, item: Callable[[], _T]) -> tuple[_T, ...]:
        """``item (, item)*``."""
        items = [item()]
        while self.tok.is_op(","):
            self.advance()
            items.append(item())
        return tuple(items)

    def projection(self) -> n.Projection:
        start = self.tok.start
        expr = self.expression()
        if self.take_word("as"):
            return n.Projection(expr, self.name())
        if isinstance(expr, n.FieldRef):
            return n.Projection(expr, expr.name)
        return n.Projection(expr, self.column_name(start))

    # -- expressions ----------------------------------------------------------------------
    def expression(self) -> n.Node:
        return self.or_expr()

    def or_expr(self) -> n.Node:
        return self.left_associative(self.and_expr, words=("or",))

    def and_expr(self) -> n.Node:
        return self.left_associative(self.not_expr, words=("and",))

    def not_expr(self) -> n.Node:
        return self.prefix_operator("not", self.not_expr, self.comparison)

    def left_associative(
        self,
        operand: Callable[[], n.Node],
        *,
        words: tuple[str, ...] = (),
        ops: tuple[str, ...] = (),
    ) -> n.Node:
        """``operand (op operand)*`` for the operator words or symbols of one precedence level."""
        left = operand()
        while self.tok.is_word(*words) or self.tok.is_op(*ops):
            op = self.advance().text.lower()
            right = operand()
            left = n.Binary(left.start, right.end, op, left, right)
        return left

    def prefix_operator(
        self, op: str, operand: Callable[[], n.Node], otherwise: Callable[[], n.Node]
    ) -> n.Node:
        """``op operand`` when the current token is the prefix ``op``, else ``otherwise()``."""
        if self.tok.is_word(op) or self.tok.is_op(op):
            start = self.advance().start
            inner = operand()
            return n.Unary(start, inner.end, op, inner)
        return otherwise()

    def comparison(self) -> n.Node:
        left = self.additive()
        negated = False
        if self.tok.is_word("not") and self.peek().is_word("like", "in"):
            self.advance()
            negated = True
        if self.tok.is_word("like") or (not negated and self.tok.is_op("=~")):
            self.advance()
            pattern = self.match_pattern()
            return n.Match(left.start, pattern.end, left, pattern, negated)
        if self.tok.is_word("in"):
            self.advance()
            items = self.list_literal()
            return n.InList(left.start, items.end, left, items, negated)
        if self.tok.is_op(*_COMPARISON_OPS):
            op = self.advance().text
            right = self.additive()
            return n.Binary(left.start, right.end, op, left, right)
        return left

    def match_pattern(self) -> n.Node:
        if self.tok.kind is Kind.STRING:
            token = self.advance()
            return n.Literal(token.start, token.end, token.value)
        token = self.regex_token()
        return n.RegexLiteral(token.start, token.end, str(token.value))

    def list_literal(self) -> n.ListLiteral:
        start = self.expect_op("[").start
        items = () if self.tok.is_op("]") else self.comma_list(self.additive)
        end = self.expect_op("]").end
        return n.ListLiteral(start, end, items)

    def additive(self) -> n.Node:
        return self.left_associative(self.multiplicative, ops=("+", "-"))

    def multiplicative(self) -> n.Node:
        return self.left_associative(self.unary, ops=("*", "/", "%"))

    def unary(self) -> n.Node:
        return self.prefix_operator("-", self.unary, self.power)

    def power(self) -> n.Node:
        base = self.primary()
        if self.tok.is_op("^"):
            self.advance()
            exponent = self.unary()
            return n.Binary(base.start, exponent.end, "^", base, exponent)
        return base

    def primary(self) -> n.Node:
        token = self.tok
        if token.kind in (Kind.NUMBER, Kind.STRING):
            self.advance()
            return n.Literal(token.start, token.end, token.value)
        if token.kind is Kind.PERIOD:
            self.advance()
            assert isinstance(token.value, Period)
            return n.PeriodLiteral(token.start, token.end, token.value)
        if token.kind is Kind.QUOTED_NAME:
            self.advance()
            return self.postfix(n.FieldRef(token.start, token.end, str(token.value)))
        if token.kind is Kind.NAME and token.text.lower() not in _RESERVED:
            self.advance()
            if self.tok.is_op("("):
                return self.postfix(self.call(token))
            if token.text.endswith(".") and self.tok.kind is Kind.QUOTED_NAME:
                quoted = self.advance()
                base = n.FieldRef(token.start, token.end, token.text[:-1])
                return self.postfix(n.Member(token.start, quoted.end, base, str(quoted.value)))
            return self.postfix(n.FieldRef(token.start, token.end, token.text))
        if token.is_op("("):
            self.advance()
            inner = self.expression()
            self.expect_op(")")
            return inner
        if token.is_op("["):
            return self.list_literal()
        if token.is_op("/"):
            raise self.error("A /regular expression/ may only follow 'like' or '=~' (or 'parse')")
        raise self.expected("an expression")

    def postfix(self, base: n.Node) -> n.Node:
        """``base`` followed by ``[index]`` and ``.name`` accesses into maps and lists."""
        while True:
            if self.tok.is_op("[") and self.tok.start == base.end:
                self.advance()
                index = self.tok
                if index.kind is not Kind.NUMBER or not isinstance(index.value, int):
                    raise self.expected("a whole-number list index")
                self.advance()
                end = self.expect_op("]").end
                base = n.Member(base.start, end, base, int(index.value))
            elif self.tok.is_op(".") and self.tok.start == base.end:
                self.advance()
                key = self.tok
                if key.kind not in (Kind.NAME, Kind.QUOTED_NAME):
                    raise self.expected("a field name after '.'")
                self.advance()
                parts = [str(key.value)] if key.kind is Kind.QUOTED_NAME else key.text.split(".")
                for part in parts:
                    base = n.Member(base.start, key.end, base, part)
            else:
                return base

    def call(self, name: Token) -> n.Node:
        self.expect_op("(")
        args: tuple[n.Node, ...] = ()
        if self.tok.is_op("*") and self.peek().is_op(")"):
            star = self.advance()
            args = (n.Star(star.start, star.end),)
        elif not self.tok.is_op(")"):
            args = self.comma_list(self.expression)
        end = self.expect_op(")").end
        return n.Call(name.start, end, name.text.lower(), args, self.column_name(name.start))
