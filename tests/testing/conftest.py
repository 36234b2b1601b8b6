"""The testing tools' own fixtures: the plugin's, also when its entry point is not installed."""

from __future__ import annotations

from cw_logging.testing.pytest_plugin import (  # noqa: F401  (fixtures used by these tests)
    cw_local_client,
    cw_local_engine,
    cw_local_server,
    cw_mock_stream,
    cw_mock_stream_factory,
)
