"""Row 11 of ``bench_write_path.py``: the wall time of importing the handler in a fresh
interpreter against ``import watchtower``, and which heavy modules the import loads."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from typing import Any

from _support import REPO, interleaved

HEAVY_MODULES = ("asyncio", "sqlite3", "boto3")

_PROBE = """
import json, sys, time
started = time.perf_counter()
{statement}
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""

STATEMENTS = {
    "ours": "from cw_logging import CloudWatchHandler, JsonFormatter",
    "watchtower": "import watchtower",
}


def _probe(statement: str) -> dict[str, Any]:
    """Run ``statement`` in a fresh interpreter; return its import time and heavy modules."""
    code = _PROBE.format(statement=statement, heavy=HEAVY_MODULES)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"{statement!r} failed in a fresh interpreter: {done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def import_rows(quick: bool) -> dict[str, Any]:
    """Rows 11a, 11b: medians over fresh interpreters, interleaved."""
    processes = 3 if quick else 9
    for statement in STATEMENTS.values():  # bytecode caches written before anything is timed
        _probe(statement)
    samples = interleaved(
        processes, {name: lambda s=statement: _probe(s) for name, statement in STATEMENTS.items()}
    )
    ours_ms = [s["seconds"] * 1000 for s in samples["ours"]]
    theirs_ms = [s["seconds"] * 1000 for s in samples["watchtower"]]
    loaded = sorted({module for s in samples["ours"] for module in s["loaded"]})
    theirs_loaded = sorted({module for s in samples["watchtower"] for module in s["loaded"]})
    ours, theirs = statistics.median(ours_ms), statistics.median(theirs_ms)
    return {
        "rows": {
            "11a": {"ours": ours, "baseline": theirs, "value": ours / theirs},
            "11b": {"ours": ", ".join(loaded) or "none", "baseline": ", ".join(theirs_loaded)},
        },
        "notes": [
            f"row 11: medians of {processes} fresh interpreters each (interleaved); ours "
            f"{min(ours_ms):.0f}-{max(ours_ms):.0f} ms, watchtower "
            f"{min(theirs_ms):.0f}-{max(theirs_ms):.0f} ms"
        ],
    }
