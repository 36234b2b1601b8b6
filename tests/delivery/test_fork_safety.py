"""What makes a fork safe at any moment: the sender threads import nothing (a child forked during
an import would inherit a half-loaded module), and SQLite is idle across a fork."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cw_logging.local import LocalServer

ROOT = Path(__file__).resolve().parents[2]

DELIVER_AND_LIST_IMPORTS = """
import json, logging, sys
from cw_logging import CloudWatchHandler
url, spool = sys.argv[1], sys.argv[2] or None
handler = CloudWatchHandler("/fork/imports", endpoint_url=url, region_name="us-east-1",
                            create_log_group=True, flush_interval=60, spool_dir=spool)
logger = logging.getLogger("fork.imports")
logger.addHandler(handler)
before = set(sys.modules)
for i in range(10):
    logger.warning("record %d", i)
delivered = handler.flush(timeout=20)
print(json.dumps({"delivered": delivered, "imported": sorted(set(sys.modules) - before)}))
"""


@pytest.mark.parametrize("with_spool", [False, True], ids=["memory", "spool"])
def test_after_the_handler_is_built_delivery_imports_nothing(
    cw_local_server: LocalServer, tmp_path: Path, with_spool: bool
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    spool = str(tmp_path / "spool") if with_spool else ""
    result = subprocess.run(
        [sys.executable, "-c", DELIVER_AND_LIST_IMPORTS, cw_local_server.url, spool],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"delivered": True, "imported": []}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_fork_waits_until_no_thread_is_inside_sqlite(tmp_path: Path) -> None:
    from cw_logging.spool import Spool
    from cw_logging.spool import _spool as spool_module

    spool = Spool.open(tmp_path, log_group="/g", log_stream_key="k")
    try:
        spool_module._before_fork()
        try:
            assert not spool._mutex.acquire(blocking=False), "held across the fork"
        finally:
            spool_module._after_fork_in_parent()
        assert spool._mutex.acquire(blocking=False), "released after it"
        spool._mutex.release()
    finally:
        spool.close()
