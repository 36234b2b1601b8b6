"""The package's local server on 127.0.0.1 as a sink that tells exactly what it stored.

Tests read the engine's store directly (under its lock): every stored event counts once, so a
record delivered twice shows up twice and a lost one is missing.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cw_logging.local import LocalServer, serve


class LocalSink:
    """A running local server (``url``); ``messages``/``field_values`` read what it stored."""

    def __init__(self) -> None:
        self.server: LocalServer = serve(port=0)
        self.url = self.server.url
        self.engine = self.server.engine

    def streams(self, group: str) -> dict[str, list[str]]:
        """The messages of every stream of ``group`` (empty if the group does not exist)."""
        store = self.engine.store
        with store.lock:
            found = self.engine.context.groups.get(group)
            if found is None:
                return {}
            return {
                name: [event.message for event in stream.events]
                for name, stream in found.streams.items()
            }

    def events(self, group: str) -> list[tuple[int, str]]:
        """Every ``(timestamp, message)`` of ``group``, over all its streams."""
        store = self.engine.store
        with store.lock:
            found = self.engine.context.groups.get(group)
            if found is None:
                return []
            return [
                (event.timestamp, event.message)
                for stream in found.streams.values()
                for event in stream.events
            ]

    def messages(self, group: str) -> list[str]:
        """Every message of ``group``, over all its streams."""
        return [message for messages in self.streams(group).values() for message in messages]

    def documents(self, group: str) -> list[dict[str, Any]]:
        """Every message of ``group`` parsed as JSON (fails the test if one is not JSON)."""
        return [json.loads(message) for message in self.messages(group)]

    def count_of(self, group: str, field: str, prefix: str) -> Counter[str]:
        """How often each JSON ``field`` value starting with ``prefix`` was stored."""
        return Counter(
            value
            for document in self.documents(group)
            if isinstance(value := document.get(field), str) and value.startswith(prefix)
        )

    def stop(self) -> None:
        """Stop serving and close the engine."""
        self.server.stop()
