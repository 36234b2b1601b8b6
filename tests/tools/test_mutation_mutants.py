"""The mutation tool makes the mutant kinds it promises, each a one-place change that compiles,
and leaves docstrings, annotations, imports and data tables alone."""

from __future__ import annotations

import textwrap

from tools.mutation._mutants import mutants
from tools.mutation._runner import select_tests

SOURCE = textwrap.dedent(
    '''
    """Module docstring."""
    import os

    LIMIT = 512
    TABLE = (1, 3, 5, 7, 14, 30)


    def check(name: str, flag: bool = True) -> int | None:
        """Docstring."""
        if not name or len(name) > LIMIT:
            return None
        total: int = 0
        total += 1
        if name in os.environ and flag is False:
            raise ValueError(name)
        return total
    '''
)


def by_kind(kind: str) -> list[tuple[str, str]]:
    return [(m.before, m.after) for m in mutants("m.py", SOURCE) if m.kind == kind]


def test_every_kind_is_made() -> None:
    assert by_kind("compare") == [(">", ">="), ("in", "not in"), ("is", "is not")]
    assert by_kind("boolop") == [
        ("not name or len(name) > LIMIT", "not name and len(name) > LIMIT"),
        ("name in os.environ and flag is False", "name in os.environ or flag is False"),
    ]
    assert ("512", "513") in by_kind("constant") and ("512", "511") in by_kind("constant")
    assert ("0", "1") in by_kind("constant") and ("1", "2") in by_kind("constant")
    assert by_kind("bool") == [("True", "False"), ("False", "True")]
    assert by_kind("not") == [("not name", "name")]
    assert by_kind("return-none") == [("total", "None")]
    assert by_kind("delete") == [
        ("total: int = 0", "pass"),
        ("total += 1", "pass"),
        ("raise ValueError(name)", "pass"),
    ]


def test_tables_docstrings_annotations_and_imports_are_left_alone() -> None:
    lines = SOURCE.splitlines()
    untouched = [
        n + 1 for n, line in enumerate(lines) if line.startswith(("TABLE", "import", '"""'))
    ]
    untouched.append(lines.index('    """Docstring."""') + 1)
    assert len(untouched) == 4
    assert not {m.line for m in mutants("m.py", SOURCE)} & set(untouched)
    assert "int" not in {m.before for m in mutants("m.py", SOURCE)}


def test_each_mutant_changes_one_place_and_compiles() -> None:
    for mutant in mutants("m.py", SOURCE):
        compile(mutant.source, "m.py", "exec")
        diff = mutant.diff().splitlines()
        assert len([line for line in diff if line.startswith("-") and line[1:2] != "-"]) == 1
        assert mutant.source != SOURCE


def test_keys_survive_unrelated_edits_and_number_repeats() -> None:
    keys = [m.key for m in mutants("m.py", SOURCE)]
    moved = [m.key for m in mutants("m.py", "\n\n# a comment\n" + SOURCE)]
    assert keys == moved
    assert len(set(keys)) == len(keys)
    assert "m.py::check::> => >=" in keys


def test_scopes_limit_the_mutants() -> None:
    assert {m.scope for m in mutants("m.py", SOURCE, frozenset({"check"}))} == {"check"}
    assert not list(mutants("m.py", SOURCE, frozenset({"other"})))


def test_tests_are_chosen_by_the_lines_they_run() -> None:
    [mutant] = [m for m in mutants("m.py", SOURCE) if m.kind == "not"]
    [module_level] = [m for m in mutants("m.py", SOURCE) if m.after == "513"]
    coverage = {
        "lines": {"m.py": {str(mutant.line): ["t::slow", "t::fast"]}},
        "seconds": {"t::slow": 2.0, "t::fast": 0.1, "t::other": 1.0},
    }
    assert select_tests(mutant, coverage, []) == ["t::fast", "t::slow"]
    assert select_tests(module_level, coverage, []) == ["t::fast", "t::other", "t::slow"]
