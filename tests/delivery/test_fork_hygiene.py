"""A forked child starts clean: its counters at zero, and it does not repeat on its stderr what
the parent already reported. Run in a subprocess (the fork must not copy pytest)."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.support.servers import ServerProcess
from tests.support.sink import LocalSink

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork, which this platform lacks"),
]

ROOT = Path(__file__).resolve().parents[2]
GROUP = "/delivery/fork-hygiene"

_SCRIPT = """
import json, logging, os, sys
from cw_logging import CloudWatchHandler

url, group, child_err, child_stats = sys.argv[1:5]
handler = CloudWatchHandler(group, "{pid}", endpoint_url=url, region_name="us-east-1",
                            create_log_group=True, flush_interval=60,
                            max_queue_bytes=16_384, overflow="drop_newest")
handler.setFormatter(logging.Formatter("%(message)s"))
logger = logging.getLogger("app")
logger.addHandler(handler)
logger.setLevel(logging.INFO)
logger.propagate = False
for i in range(100):
    logger.info("parent-%d %s", i, "x" * 1000)  # about 150 KB into a 16 KB queue: drops
handler.flush(timeout=15)  # the parent's sender reports the drops on stderr
parent = handler.stats()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(child_err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
    with open(child_stats, "w") as out:
        json.dump(handler.stats(), out)
    for i in range(10):
        logger.info("child-%d", i)
    sys.exit(0)  # atexit delivers
status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print(json.dumps({"child_pid": pid, "child_status": status, "parent_dropped": parent["dropped"]}),
      flush=True)
"""


def test_a_forked_child_starts_with_zero_counters_and_repeats_no_report(
    sink: LocalSink, tmp_path: Path
) -> None:
    script = tmp_path / "fork_hygiene.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    child_err, child_stats = tmp_path / "child.err", tmp_path / "child.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, str(script), sink.url, GROUP, str(child_err), str(child_stats)]
    with ServerProcess(argv, env=env, cwd=ROOT, output=tmp_path / "parent.out") as program:
        status = program.process.wait(timeout=60)
        output = program.text()
    assert status == 0, output
    report = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    assert report["child_status"] == 0
    assert report["parent_dropped"].get("drop_newest", 0) > 0  # the parent had counts to inherit
    assert "dropped" in output  # ... and reported them

    stats = json.loads(child_stats.read_text(encoding="utf-8"))
    counters = {key: stats[key] for key in ("accepted", "sent", "batches", "retried")}
    assert counters == {"accepted": 0, "sent": 0, "batches": 0, "retried": 0}, stats
    assert stats["dropped"] == {} and stats["rejected"] == {}, stats
    assert stats["last_error"] is None, stats
    assert child_err.read_text(encoding="utf-8") == "", "the child repeated the parent's reports"
    child_stream = sink.streams(GROUP)[str(report["child_pid"])]
    assert Counter(child_stream) == Counter(f"child-{i}" for i in range(10))
