"""Options with absurd values are refused when the handler is built, with a ConfigurationError
that names the option and what to use, instead of killing the sender or ``close()`` later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cw_logging import CloudWatchHandler, ConfigurationError

ABSURD = [
    ("flush_interval", 1e10),
    ("flush_interval", float("inf")),
    ("flush_interval", float("nan")),
    ("close_timeout", 1e10),
    ("close_timeout", float("nan")),
    ("spool_commit_interval", 1e10),
    ("emit_metrics_interval", 1e10),
    ("max_queue_bytes", 10**30),  # more memory than any machine has
    ("spool_max_bytes", 10**30),  # more disk than any machine has
]


@pytest.mark.parametrize(("option", "value"), ABSURD, ids=[f"{o}={v:g}" for o, v in ABSURD])
def test_an_absurd_option_is_refused_at_construction(
    tmp_path: Path, option: str, value: Any
) -> None:
    spool = {"spool_dir": str(tmp_path)} if option.startswith("spool") else {}
    with pytest.raises(ConfigurationError) as refused:
        handler = CloudWatchHandler("/options/absurd", "s", region_name="us-east-1",
                                    **spool, **{option: value})  # fmt: skip
        handler.close()
    message = str(refused.value)
    assert option in message and "use" in message, message
