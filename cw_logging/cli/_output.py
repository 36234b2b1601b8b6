"""How the CLI writes: aligned tables, JSON, CSV, colours and progress, each only where it fits.

Colours are used only when the stream is a terminal and ``NO_COLOR`` is unset (and ``TERM`` is
not ``dumb``); progress is drawn on stderr only when stderr is a terminal, and only once the work
has lasted a couple of seconds.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, TextIO

from .._options import Clock

__all__ = [
    "PROGRESS_DELAY",
    "Progress",
    "Style",
    "format_time",
    "json_default",
    "number_column",
    "render_csv",
    "render_table",
    "write_json",
    "write_json_line",
]

PROGRESS_DELAY = 2.0
"""Seconds of work before a progress line is drawn."""

_LEVEL_COLOURS = {
    "CRITICAL": "1;31",
    "FATAL": "1;31",
    "ERROR": "31",
    "WARNING": "33",
    "WARN": "33",
    "INFO": "32",
    "DEBUG": "2",
}


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # closed stream
        return False


class Style:
    """Colours for one output stream; every method returns plain text when colour is off."""

    def __init__(self, stream: TextIO, *, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = (
                _is_terminal(stream)
                and "NO_COLOR" not in os.environ
                and os.environ.get("TERM") != "dumb"
            )
        self.enabled = enabled

    def paint(self, text: str, code: str) -> str:
        """Return ``text`` in the ANSI style ``code`` (e.g. ``"31"`` red, ``"1"`` bold)."""
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def level(self, level: str | None, width: int = 0) -> str:
        """Return a log level padded to ``width`` and coloured by severity."""
        text = (level or "-").ljust(width)
        return self.paint(text, _LEVEL_COLOURS.get((level or "").upper(), ""))

    def dim(self, text: str) -> str:
        """Return ``text`` de-emphasised."""
        return self.paint(text, "2")

    def bold(self, text: str) -> str:
        """Return ``text`` emphasised."""
        return self.paint(text, "1")


def format_time(moment: datetime | None, *, millis: bool = True) -> str:
    """Return ``moment`` as ``YYYY-MM-DD HH:MM:SS.mmm`` UTC (empty for None)."""
    if moment is None:
        return ""
    text = moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return text[:-3] if millis else text[:-7]


def json_default(value: Any) -> Any:
    """JSON encoding of the values the CLI prints: datetimes as ISO 8601 UTC with ``Z``."""
    if isinstance(value, datetime):
        return (
            value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def write_json(stream: TextIO, document: Any) -> None:
    """Write ``document`` as indented JSON followed by a newline."""
    stream.write(json.dumps(document, default=json_default, indent=2, ensure_ascii=False) + "\n")


def write_json_line(stream: TextIO, document: Any) -> None:
    """Write ``document`` as one compact JSON line (for streamed output such as ``tail``)."""
    stream.write(json.dumps(document, default=json_default, ensure_ascii=False) + "\n")
    stream.flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_time(value)
    return str(value).replace("\n", "\\n")


_NUMBER = re.compile(r"-?\d+(?:\.\d+(?:[eE][-+]?\d+)?)?")
"""A number as the service writes one: an integer, or a decimal (with an exponent if tiny or
huge). An exponent without a decimal point is not taken for a number (ids such as ``1234e5``)."""


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return isinstance(value, str) and _NUMBER.fullmatch(value) is not None


def _decimals(value: float) -> int:
    """Decimals that show ``value`` sensibly: 2 from 1 up, else 3 significant digits (max 6)."""
    if value == 0 or abs(value) >= 1:
        return 2
    return min(6, 2 - math.floor(math.log10(abs(value))))


def number_column(values: Sequence[Any]) -> list[str] | None:
    """Return a column's cells as aligned numbers, or None when it is not all numbers.

    Whole numbers stay as they are; with a fraction anywhere, every cell is rounded to the same
    number of decimals (``21.511326860841425`` -> ``21.51``) so the decimal points line up.
    Empty cells stay empty.
    """
    present = [v for v in values if v is not None and v != ""]
    if not present or not all(_is_number(v) for v in present):
        return None
    numbers = [None if v is None or v == "" else float(v) for v in values]
    fractions = [n for n in numbers if n is not None and not n.is_integer()]
    if not fractions:
        return [_cell(v) for v in values]
    places = max(_decimals(n) for n in fractions)
    return ["" if n is None else f"{n:.{places}f}" for n in numbers]


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right: Iterable[int] = (),
    numbers: bool = False,
    style: Style | None = None,
) -> str:
    """Return ``rows`` as a table with aligned columns (``right``: indexes aligned right).

    With ``numbers``, columns whose cells are all numbers are rounded (:func:`number_column`)
    and aligned right. The last column is not padded, so long messages do not drag trailing
    spaces along.
    """
    rows = [list(row) for row in rows]
    cells = [[_cell(value) for value in row] for row in rows]
    right_aligned = set(right)
    if numbers:
        for index in range(len(headers)):
            column = number_column([row[index] for row in rows])
            if column is not None:
                right_aligned.add(index)
                for row, text in zip(cells, column, strict=True):
                    row[index] = text
    widths = [len(h) for h in headers]
    for row in cells:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    last = len(headers) - 1

    def line(values: Sequence[str]) -> str:
        parts = []
        for index, text in enumerate(values):
            if index in right_aligned:
                parts.append(text.rjust(widths[index]))
            elif index == last:
                parts.append(text)
            else:
                parts.append(text.ljust(widths[index]))
        return "  ".join(parts).rstrip()

    heading = line(list(headers))
    out = [style.bold(heading) if style else heading]
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def render_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return ``rows`` as CSV with a header line (datetimes as ISO 8601 UTC)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            ["" if v is None else json_default(v) if isinstance(v, datetime) else v for v in row]
        )
    return buffer.getvalue()


class Progress:
    """A one-line progress indicator on stderr for work that may take more than a few seconds.

    Nothing is drawn unless the stream is a terminal and ``delay`` seconds have passed since the
    start; with ``total`` it shows a bar and a count, without it elapsed time. Use as a context
    manager; :meth:`update` is cheap to call often.
    """

    def __init__(
        self,
        label: str,
        *,
        total: float | None = None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        delay: float = PROGRESS_DELAY,
        clock: Clock = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.delay = delay
        self._clock = clock
        self._start = clock()
        self._drawn = False
        self._last_draw = 0.0
        self.done: float = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, done: float | None = None, *, note: str = "") -> None:
        """Record progress (``done`` out of ``total``) and redraw at most ten times a second."""
        if done is not None:
            self.done = done
        if not self.enabled:
            return
        now = self._clock()
        elapsed = now - self._start
        if elapsed < self.delay or now - self._last_draw < 0.1:
            return
        self._last_draw = now
        self._drawn = True
        self.stream.write("\r\x1b[K" + self.render(elapsed, note))
        self.stream.flush()

    def render(self, elapsed: float, note: str = "") -> str:
        """Return the progress line for ``elapsed`` seconds (without redrawing)."""
        text = f"{self.label} {elapsed:5.1f}s"
        if self.total:
            fraction = max(0.0, min(1.0, self.done / self.total))
            filled = int(fraction * 24)
            bar = "#" * filled + "." * (24 - filled)
            text = f"{self.label} [{bar}] {fraction:4.0%} {self.done:g}/{self.total:g}"
        return f"{text} {note}".rstrip()

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` while keeping the line fresh (a drop-in for ``time.sleep``)."""
        deadline = self._clock() + seconds
        while (left := deadline - self._clock()) > 0:
            time.sleep(min(left, 0.1))
            self.update()

    def close(self) -> None:
        """Erase the progress line, if one was drawn."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
