"""The testing tools' examples run as scripts, offline and fast, and print what they promise."""

from __future__ import annotations

import re

from tests.testing.helpers import ROOT, run_python


def run_example(name: str) -> str:
    completed = run_python([str(ROOT / "examples" / name)], cwd=ROOT / "examples")
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_testing_with_mock_stream() -> None:
    out = run_example("testing_with_mock_stream.py").splitlines()
    # three checkouts: 1 and 3 accepted (2 INFO lines each), 2 refused (1 INFO, 1 ERROR)
    assert out == [
        "refused orders: [2]",
        "request of the refusal: req-2",
        "by level: {'ERROR': 1, 'INFO': 5}",
        "first event seen by the subscriber: checkout started",
        "subscriber dropped: 0",
        "events collected: 6",
    ]


def test_simulate_and_replay() -> None:
    out = run_example("simulate_and_replay.py")
    simulated = re.search(r"simulated 60 requests, (\d+) events, (\d+) failed", out)
    assert simulated and int(simulated[2]) > 0
    events = int(simulated[1])
    trace = re.findall(r"^  (\w+)\s+(\w+)\s+(.*)$", out, flags=re.MULTILINE)
    assert len({service for _, service, _ in trace}) >= 2
    assert ("ERROR", "gateway") in {(level, service) for level, service, _ in trace}
    assert f"exported {events} events to a JSONL file" in out
    replayed = re.search(
        r"replayed (\d+) events in ([\d.]+) s \(recorded over ([\d.]+) s\), 0 failed, "
        r"(\d+) delivered",
        out,
    )
    assert replayed and int(replayed[1]) == int(replayed[4]) == events
    assert float(replayed[2]) < float(replayed[3]) / 2  # 50 times faster than recorded
