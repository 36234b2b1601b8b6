"""Malformed-query errors that point at the offending place in the query text."""

from __future__ import annotations

from ...errors import MalformedQueryError

MALFORMED_QUERY_CODE = "MalformedQueryException"


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of ``offset`` in ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start + 1


def malformed(text: str, offset: int, problem: str) -> MalformedQueryError:
    """Build the error for ``problem`` at ``offset``, with the line and a caret under the place."""
    line, column = line_and_column(text, offset)
    lines = text.split("\n")
    excerpt = lines[line - 1] if line - 1 < len(lines) else ""
    caret = " " * (column - 1) + "^"
    message = (
        f"{problem} at line {line}, column {column}:\n"
        f"    {excerpt}\n"
        f"    {caret}\n"
        "Fix the query (Logs Insights QL syntax) and run it again."
    )
    return MalformedQueryError(message, code=MALFORMED_QUERY_CODE)


def unsupported(text: str, offset: int, what: str) -> MalformedQueryError:
    """Build the error for syntax the service has but this local engine does not evaluate."""
    return malformed(
        text,
        offset,
        f"{what} is not supported by the cw_logging local engine "
        "(see docs/insights-conformance.md); it is never ignored silently",
    )
