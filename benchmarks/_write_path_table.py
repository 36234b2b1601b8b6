"""The rows of ``bench_write_path.py`` (figure, units, goal) and the table that prints them: one
aligned line per row, medians over runs with the spread of the ratio or value."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class RowSpec:
    """One row: what it shows, in which unit, and the goal (``check`` None: reported only)."""

    id: str
    figure: str
    unit: str
    goal: str
    check: Check | None
    ratio: bool = False
    untested: Callable[[float | None], bool] | None = None
    """Given the baseline: True when the run could not test the goal (said in the met cell)."""

    @property
    def number(self) -> int:
        """The issue's row number (``"3a"`` -> 3)."""
        return int(self.id.rstrip("ab"))


def row_specs(burst_records: int) -> list[RowSpec]:
    """Every row of issue 12's table, as this script measures it."""
    burst = f"{burst_records:,}"
    return [
        RowSpec("1", "caller CPU per logger.info, plain (vs QueueHandler)", "ns", "<= 0.85x",
                lambda v: v <= 0.85, ratio=True),
        RowSpec("2", "caller CPU, 3 extra= + ids bound (vs QueueHandler)", "ns", "<= 0.90x",
                lambda v: v <= 0.90, ratio=True),
        RowSpec("3a", "caller CPU share in cyclic GC, row 1 (vs QueueHandler)", "%", "report",
                None),
        RowSpec("3b", "caller CPU share in cyclic GC, row 2 (vs QueueHandler)", "%", "report",
                None),
        RowSpec("4a", "GC-tracked objects per held record (vs QueueHandler)", "obj", "<= 1",
                lambda v: v <= 1.0),
        RowSpec("4b", "gc.collect() CPU per held record (vs QueueHandler)", "ns", "<= 150 ns",
                lambda v: v <= 150.0),
        RowSpec("5", "RSS growth, endpoint down, 64 MiB bound (baseline: bound)", "MiB",
                "<= 84 MiB", lambda v: v <= 84.0),
        RowSpec("6", "RSS growth, endpoint down, 8 MiB bound, extra= payloads", "MiB",
                "<= 28 MiB", lambda v: v <= 28.0),
        RowSpec("6b", "row 6: counted queued_bytes (vs RSS growth then)", "MiB", "report", None,
                ratio=True),
        RowSpec("7", f"dropped, {burst}-record burst, spool_dir (vs no spool)", "count", "0",
                lambda v: v == 0, untested=lambda baseline: baseline == 0),
        RowSpec("8", f"PutLogEvents calls, {burst} short events (vs minimum)", "count",
                "<= 1.05x", lambda v: v <= 1.05, ratio=True),
        RowSpec("9", "process CPU per delivered event (vs watchtower)", "us", "<= 0.6x",
                lambda v: v <= 0.6, ratio=True),
        RowSpec("10", "sender CPU per event, client= (vs default client)", "us", "<= 1.15x",
                lambda v: v <= 1.15, ratio=True),
        RowSpec("11a", "import time, fresh interpreter (vs import watchtower)", "ms", "<= 0.5x",
                lambda v: v <= 0.5, ratio=True),
        RowSpec("11b", "asyncio/sqlite3/boto3 after the import (vs watchtower)", "text", "none",
                lambda v: v == "none"),
    ]  # fmt: skip


_FORMATS = {"ns": ",.0f", "us": ".1f", "ms": ".1f", "%": ".1f", "MiB": ".1f", "obj": ".2f"}
_SHOWN_UNITS = {"ns": " ns", "us": " µs", "ms": " ms", "%": " %", "MiB": " MiB"}


def _number(value: float, unit: str, with_unit: bool = True) -> str:
    if math.isnan(value):
        return "n/a"
    text = format(value, _FORMATS.get(unit, ",.0f"))
    return text + _SHOWN_UNITS.get(unit, "") if with_unit else text


@dataclass
class Table:
    """Collects the workers' results run by run and prints them."""

    specs: list[RowSpec]
    selected: frozenset[int]
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: list[str] = field(default_factory=list)

    def add(self, run: int, result: dict[str, Any]) -> None:
        """Merge one worker's rows (a row may come from two workers) and keep its notes."""
        for row, fields in result["rows"].items():
            samples = self.runs.setdefault(row, [])
            while len(samples) < run:
                samples.append({})
            samples[run - 1].update(fields)
        self.notes.extend(f"run {run}, {note}" for note in result["notes"])

    def cells(self, spec: RowSpec) -> list[str]:
        """The row's printed cells: row, figure, ours, baseline, ratio/value, goal, met."""
        samples = [s for s in self.runs.get(spec.id, []) if s]
        if not samples:
            return [spec.id, spec.figure, "-", "-", "no result", spec.goal, "?"]
        if spec.unit == "text":
            ours = ", ".join(sorted({s.get("ours", "?") for s in samples}))
            base = ", ".join(sorted({s.get("baseline", "?") for s in samples}))
            met = "-" if spec.check is None else ("yes" if spec.check(ours) else "NO")
            return [spec.id, spec.figure, ours, base, ours, spec.goal, met]

        def median(key: str) -> float | None:
            values = [s[key] for s in samples if s.get(key) is not None]
            return statistics.median(values) if values else None

        ours, base, value = median("ours"), median("baseline"), median("value")
        unit = spec.unit
        shown = ["-" if v is None else _number(v, unit) for v in (ours, base)]
        if value is None:
            text = "-"
        else:
            text = f"{value:.2f}x" if spec.ratio else _number(value, unit)
            if len(samples) > 1:
                low = min(s["value"] for s in samples if "value" in s)
                high = max(s["value"] for s in samples if "value" in s)
                if spec.ratio:
                    text += f" ({low:.2f}-{high:.2f})"
                else:
                    text += f" ({_number(low, unit, False)}-{_number(high, unit, False)})"
        met = "-" if spec.check is None or value is None else (
            "yes" if spec.check(value) else "NO"
        )  # fmt: skip
        if met == "yes" and spec.untested is not None and spec.untested(base):
            met += " (untested: see notes)"
        return [spec.id, spec.figure, *shown, text, spec.goal, met]

    def render(self, header: str) -> str:
        """The aligned table, then the notes and each worker's time."""
        lines = [["row", "figure", "ours", "baseline", "ratio/value", "goal", "met"]]
        lines += [self.cells(spec) for spec in self.specs if spec.number in self.selected]
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        right = {2, 3, 4}

        def join(line: list[str]) -> str:
            return "  ".join(
                cell.rjust(width) if i in right else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()

        out = [header, "", join(lines[0]), join(["-" * w for w in widths])]
        out += [join(line) for line in lines[1:]]
        out += ["", "notes:"] + [f"  {note}" for note in self.notes]
        out += ["", "worker times: " + "; ".join(self.timings)]
        return "\n".join(out)

    def as_json(self, header: str) -> dict[str, Any]:
        """The same results for machines: per row its cells and every run's figures."""
        rows = {}
        for spec in self.specs:
            if spec.number in self.selected:
                cells = self.cells(spec)
                rows[spec.id] = {
                    "figure": spec.figure,
                    "goal": spec.goal,
                    "met": {"yes": True, "NO": False}.get(cells[6]),
                    "runs": self.runs.get(spec.id, []),
                }
        return {"header": header, "rows": rows, "notes": self.notes}
