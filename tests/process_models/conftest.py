"""Fixtures of the process-model tests: the local server that counts what was stored."""

from __future__ import annotations

from tests.support.sink_fixtures import sink

__all__ = ["sink"]
