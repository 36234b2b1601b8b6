"""The spool at rest: private modes, unsafe directories refused, and files planted by someone
else (another user's, a link, another program's SQLite) never adopted: checked through a real
handler shipping to the local server over HTTP with boto3."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from cw_logging.errors import ConfigurationError
from cw_logging.handler import CloudWatchHandler
from cw_logging.local import LocalServer
from cw_logging.spool import Spool
from tests.integration.helpers import group_messages

GROUP = "/security/spool"
STREAM = "app"
OTHER_UID = 4242

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="planting another user's file needs chown (root)",
)


@pytest.fixture
def client(cw_local_server: LocalServer) -> Any:
    import boto3

    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=cw_local_server.url)
    logs.create_log_group(logGroupName=GROUP)
    return logs


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def plant(directory: Path, stream: str, messages: list[str]) -> Path:
    """A spool file as a process of this handler identity leaves it with events unsent."""
    now = int(time.time() * 1000)
    with Spool.open(directory, log_group=GROUP, log_stream_key=STREAM) as spool:
        spool.append([(stream, now + i, message) for i, message in enumerate(messages)])
        return Path(spool.path or "")


def ship_leftovers(directory: Path, server: LocalServer) -> None:
    handler = CloudWatchHandler(
        GROUP, STREAM, endpoint_url=server.url, region_name="us-east-1", spool_dir=directory
    )
    try:
        assert handler.flush(20)
    finally:
        handler.close()


def test_a_new_spool_directory_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "spool"
    with Spool.open(directory, log_group=GROUP, log_stream_key=STREAM) as spool:
        spool.append([("s", 1, "m")] * 3)
        files = sorted(directory.iterdir())
        assert mode(directory) == 0o700
        suffixes = {path.name.rsplit(".", 1)[-1] for path in files}
        assert {"db", "db-wal", "db-shm", "lock"} <= suffixes, files
        assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


@pytest.mark.parametrize("unsafe_mode", [0o770, 0o777, 0o1777, 0o720], ids=oct)
def test_a_directory_others_can_write_is_refused(tmp_path: Path, unsafe_mode: int) -> None:
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(unsafe_mode)
    with pytest.raises(ConfigurationError, match=r"writable by group or others.*chmod 700"):
        CloudWatchHandler(GROUP, spool_dir=directory, endpoint_url="http://127.0.0.1:1")
    with pytest.raises(ConfigurationError, match="writable by group or others"):
        Spool.open(directory, log_group=GROUP, log_stream_key=STREAM)
    assert list(directory.iterdir()) == []  # refused before anything was written


def test_a_directory_of_another_user_or_a_link_is_refused(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    with pytest.raises(ConfigurationError, match=f"belongs to uid {OTHER_UID}"):
        Spool.open(theirs, log_group=GROUP, log_stream_key=STREAM)
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(mine)
    with pytest.raises(ConfigurationError, match=r"symbolic link.*realpath"):
        CloudWatchHandler(GROUP, spool_dir=link, endpoint_url="http://127.0.0.1:1")
    readable = tmp_path / "readable"
    readable.mkdir(mode=0o755)  # others may read but not write: accepted, files stay 0600
    Spool.open(readable, log_group=GROUP, log_stream_key=STREAM).close()


@pytest.mark.parametrize("owner", ["this user", "another user"])
def test_only_this_users_spool_files_are_adopted(
    tmp_path: Path, cw_local_server: LocalServer, client: Any, owner: str, capsys: Any
) -> None:
    directory = tmp_path / "spool"
    planted = plant(directory, "chosen-by-planter", ["planted event"])
    side_files = [Path(f"{planted}{suffix}") for suffix in ("", "-wal", "-shm")]
    if owner == "another user":
        for path in side_files:
            if path.exists():
                os.chown(path, OTHER_UID, OTHER_UID)
    before = planted.read_bytes()

    ship_leftovers(directory, cw_local_server)

    shipped = group_messages(client, GROUP)
    if owner == "this user":  # the control: a dead process's own file is adopted and sent
        assert shipped == {"chosen-by-planter": ["planted event"]}
        assert not planted.exists()
    else:
        assert shipped == {}
        assert planted.read_bytes() == before and os.lstat(planted).st_uid == OTHER_UID
        err = capsys.readouterr().err
        assert f"did not adopt {planted}" in err and f"uid {OTHER_UID}" in err


def test_a_planted_link_is_never_followed(
    tmp_path: Path, cw_local_server: LocalServer, client: Any, capsys: Any
) -> None:
    elsewhere = plant(tmp_path / "elsewhere", "via-link", ["linked event"])
    directory = tmp_path / "spool"
    directory.mkdir(mode=0o700)
    link = directory / elsewhere.name
    link.symlink_to(elsewhere)
    before = elsewhere.read_bytes()

    ship_leftovers(directory, cw_local_server)

    assert group_messages(client, GROUP) == {}
    assert elsewhere.read_bytes() == before and link.is_symlink()
    assert "is not a regular file" in capsys.readouterr().err


def test_a_sqlite_file_without_the_spool_header_is_set_aside_unsent(
    tmp_path: Path, cw_local_server: LocalServer, client: Any, capsys: Any
) -> None:
    planted = plant(tmp_path / "spool", "no-header", ["foreign event"])
    conn = sqlite3.connect(planted)
    conn.execute("PRAGMA application_id = 0")  # the same tables, not written by cw_logging
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    ship_leftovers(planted.parent, cw_local_server)

    assert group_messages(client, GROUP) == {}
    assert not planted.exists()
    assert list(planted.parent.glob(f"{planted.name}.corrupt-*"))
    assert "no spool header" in capsys.readouterr().err
