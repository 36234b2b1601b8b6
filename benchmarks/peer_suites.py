"""Run test suites written by others against the local server, beside moto's own server.

Fetches moto's and watchtower's source distributions with pip into a temporary directory (the
moto version installed here, the newest watchtower), never into this repository, then runs:

- moto's ``tests/test_logs`` in moto's server mode (``TEST_SERVER_MODE=true``): once against
  ``cw-logging serve`` (the other AWS services those tests use answered by a moto server behind
  a router, see ``_service_router``) and once against moto's own ``ThreadedMotoServer``;
- watchtower's ``test/test.py`` with ``AWS_ENDPOINT_URL`` pointing at each server, in
  us-east-1 and in eu-west-1.

and prints the pass counts side by side. Each server runs in its own process on 127.0.0.1 with
a free port and is stopped at the end.

Run: PYTHONPATH=. .venv/bin/python benchmarks/peer_suites.py
     [--suite moto|watchtower] [-k EXPRESSION] [--keep DIR] [--server cw_logging|moto] [--failures]

``--keep DIR`` downloads into (and leaves the sources and JUnit reports in) DIR, so a second
run skips the download; ``--failures`` lists the failing tests of our server.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from _service_router import routing

REPOSITORY = Path(__file__).resolve().parents[1]
SERVERS = ("cw_logging", "moto")
WATCHTOWER_REGIONS = ("us-east-1", "eu-west-1")
_OUR_SERVER = "import sys\nfrom cw_logging.local import main\nsys.exit(main(['--port', '0']))\n"
_MOTO_SERVER = (
    "import logging, signal, sys, threading\n"
    "from moto.server import ThreadedMotoServer\n"
    "logging.getLogger('werkzeug').setLevel(logging.ERROR)\n"
    "server = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n"
    "server.start()\n"
    "host, port = server.get_host_and_port()\n"
    "print(f'moto listening on http://{host}:{port}', flush=True)\n"
    "stop = threading.Event()\n"
    "signal.signal(signal.SIGTERM, lambda *_: stop.set())\n"
    "stop.wait()\n"
    "server.stop()\n"
)


@dataclass
class Outcome:
    """Counts of one suite run, and the ids of the tests that did not pass."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def total(self) -> int:
        """Tests that ran (skipped ones excluded)."""
        return self.passed + self.failed

    def cell(self) -> str:
        """``passed / total`` for the table."""
        return self.note or f"{self.passed} / {self.total}"


def download(directory: Path) -> tuple[Path, Path]:
    """The extracted moto and watchtower sources (downloaded with pip when not there yet)."""
    moto_version = metadata.version("moto")
    wanted = {"moto": f"moto-{moto_version}", "watchtower": "watchtower-"}
    found = {name: _extracted(directory, prefix) for name, prefix in wanted.items()}
    if any(path is None for path in found.values()):
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:"]
        command += ["--no-deps", "--dest", str(directory), f"moto=={moto_version}", "watchtower"]
        subprocess.run(command, check=True)
        for archive in directory.glob("*.tar.gz"):
            _extract(archive, directory)
        found = {name: _extracted(directory, prefix) for name, prefix in wanted.items()}
    moto, watchtower = found["moto"], found["watchtower"]
    if moto is None or watchtower is None:
        raise SystemExit(f"the source distributions did not unpack in {directory}")
    return moto, watchtower


def _extract(archive: Path, directory: Path) -> None:
    with tarfile.open(archive) as bundle:
        try:
            bundle.extractall(directory, filter="data")
        except TypeError:  # a Python without extraction filters (before 3.10.12)
            bundle.extractall(directory)


def _extracted(directory: Path, prefix: str) -> Path | None:
    candidates = sorted(p for p in directory.glob(f"{prefix}*") if p.is_dir())
    return candidates[-1] if candidates else None


@contextlib.contextmanager
def running(server: str, log: Path) -> Iterator[str]:
    """Start ``server`` ("cw_logging" or "moto") in a subprocess, its stderr going to ``log``;
    yield its URL; stop it."""
    script = _OUR_SERVER if server == "cw_logging" else _MOTO_SERVER
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPOSITORY)}
    with open(log, "a") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if "listening on http://" not in first:
            raise SystemExit(f"{server} server did not start: {first!r} (see {log})")
        yield first.rsplit(" ", 1)[-1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _base_env(url: str, region: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "MOTO_", "TEST_SERVER_MODE"))
    }
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=region,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_pytest(
    cwd: Path, tests: str, env: dict[str, str], report: Path, extra: Sequence[str]
) -> Outcome:
    """Run pytest on ``tests`` in ``cwd`` and read the counts from its JUnit report."""
    command = [sys.executable, "-m", "pytest", tests, "-q", "-p", "no:cacheprovider"]
    command += ["-p", "no:randomly", "--timeout", "120", f"--junitxml={report}", *extra]
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if not report.exists():
        tail = (completed.stdout + completed.stderr)[-2000:]
        return Outcome(note=f"did not run ({tail.strip().splitlines()[-1:]})")
    return _read_report(report)


def _read_report(report: Path) -> Outcome:
    outcome = Outcome()
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        if "skipped" in kinds:
            outcome.skipped += 1
        elif kinds & {"failure", "error"}:
            outcome.failed += 1
            outcome.failures.append(name)
        else:
            outcome.passed += 1
    return outcome


def moto_suite(source: Path, server: str, reports: Path, extra: Sequence[str]) -> Outcome:
    """moto's ``tests/test_logs`` in server mode against ``server``. With our server, the other
    services those tests create along the way (IAM, Lambda, S3, Kinesis, ...) are answered by a
    moto server behind a router; every CloudWatch Logs call reaches ours."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(running(server, reports / f"{server}-server.log"))
        if server != "moto":
            others = stack.enter_context(running("moto", reports / "moto-others-server.log"))
            url = stack.enter_context(routing(url, others))
        env = _base_env(url, "us-east-1")
        env.update(TEST_SERVER_MODE="true", TEST_SERVER_MODE_ENDPOINT=url)
        report = reports / f"moto-{server}.xml"
        return run_pytest(source, "tests/test_logs", env, report, extra)


def watchtower_suite(
    source: Path, server: str, region: str, reports: Path, extra: Sequence[str]
) -> Outcome:
    """watchtower's ``test/test.py`` with every client pointed at ``server`` in ``region``."""
    with running(server, reports / f"{server}-server.log") as url:
        env = _base_env(url, region)
        env["AWS_ENDPOINT_URL"] = url
        env["PYTHONPATH"] = str(source)
        report = reports / f"watchtower-{region}-{server}.xml"
        return run_pytest(source, "test/test.py", env, report, extra)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--suite", choices=("moto", "watchtower"), action="append")
    parser.add_argument("--server", choices=SERVERS, action="append")
    parser.add_argument("-k", dest="expression", help="pytest -k expression")
    parser.add_argument("--keep", type=Path, help="download into and keep this directory")
    parser.add_argument("--failures", action="store_true", help="list our server's failures")
    args = parser.parse_args(argv)
    suites = args.suite or ["moto", "watchtower"]
    servers = args.server or list(SERVERS)
    extra = ["-k", args.expression] if args.expression else []
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            directory = args.keep
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        moto_source, watchtower_source = download(directory)
        reports = directory / "reports"
        reports.mkdir(exist_ok=True)
        rows: list[tuple[str, dict[str, Outcome]]] = []
        if "moto" in suites:
            label = f"moto {moto_source.name.split('-', 1)[1]} tests/test_logs (server mode)"
            rows.append((label, {s: moto_suite(moto_source, s, reports, extra) for s in servers}))
        if "watchtower" in suites:
            for region in WATCHTOWER_REGIONS:
                label = f"watchtower {watchtower_source.name.split('-', 1)[1]} tests, {region}"
                outcomes = {
                    s: watchtower_suite(watchtower_source, s, region, reports, extra)
                    for s in servers
                }
                rows.append((label, outcomes))
        _print_table(rows, servers)
        if args.failures:
            for label, outcomes in rows:
                ours = outcomes.get("cw_logging")
                if ours is not None and ours.failures:
                    print(f"\nfailing against cw_logging: {label}")
                    for name in ours.failures:
                        print(f"  {name}")
    return 0


def _print_table(rows: list[tuple[str, dict[str, Outcome]]], servers: Sequence[str]) -> None:
    headers = ["suite", *(f"{s} server (passed / ran)" for s in servers)]
    table = [headers, *([label, *(o[s].cell() for s in servers)] for label, o in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for index, row in enumerate(table):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


if __name__ == "__main__":
    raise SystemExit(main())
