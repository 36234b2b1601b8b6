"""Making a JSON document fit a size: the message (then the stack, then the longest texts) is
cut, so what is stored stays valid JSON with its ids and extras, marked as truncated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["fit_document"]

_MARK = "…[truncated]"


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def fit_document(
    data: dict[str, Any],
    limit: int,
    encode: Callable[[dict[str, Any]], str],
    *,
    first: tuple[str, ...],
    truncated_key: str,
    original_key: str,
) -> str:
    """Encode ``data`` in at most ``limit`` UTF-8 bytes.

    Cuts text values, longest first after the keys in ``first`` (the message, then the stack);
    a list of lines counts as its text. Adds ``truncated_key: true`` and ``original_key`` (the
    full document's size in bytes). Falls back to the keys in ``first``-less minimal document
    if even empty texts do not fit.
    """
    text = encode(data)
    original = _size(text)
    if original <= limit:
        return text
    doc = dict(data)
    doc[truncated_key] = True
    doc[original_key] = original
    order = [key for key in first if key in doc] + sorted(
        (key for key in doc if key not in first and _is_text(doc[key])),
        key=lambda key: -_text_length(doc[key]),
    )
    for key in order:
        overshoot = _size(encode(doc)) - limit
        if overshoot <= 0:
            break
        doc[key] = _shorter(doc[key], overshoot)
    text = encode(doc)
    if _size(text) <= limit:
        return text
    minimal = {key: doc[key] for key in first if key in doc}
    minimal[truncated_key], minimal[original_key] = True, original
    for key in first:
        if key in minimal:
            minimal[key] = ""
    return encode(minimal)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(line, str) for line in value)
    )


def _text_length(value: Any) -> int:
    return len(value) if isinstance(value, str) else sum(len(line) + 1 for line in value)


def _shorter(value: Any, overshoot: int) -> Any:
    """``value`` (text, or a list of lines) with at least ``overshoot`` encoded bytes removed."""
    if isinstance(value, list):
        joined = "\n".join(value)
        return _shorter(joined, overshoot).split("\n") if joined else value
    if not isinstance(value, str) or not value:
        return value
    # JSON escaping can make a character cost up to 6 bytes (\u0000) in the document: cut by
    # characters with margin, then the loop in fit_document re-measures.
    keep = max(len(value) - overshoot - len(_MARK) - 16, 0)
    return value[:keep] + _MARK
