"""Every option of :class:`~cw_logging.CloudWatchHandler`, checked once, as one dataclass."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._options import (
    INVALID_SETTING,
    Clock,
    Overflow,
    parse_overflow,
    require_flag,
    require_int,
    require_seconds,
)
from ..delivery._retry import RetryPolicy
from ..delivery._settings import DeliverySettings
from ..delivery.transport import ClientOptions, Transport, TransportProvider
from ..errors import ConfigurationError

__all__ = [
    "DEFAULT_MAX_QUEUE_BYTES",
    "MAX_CLOSE_TIMEOUT_S",
    "MAX_QUEUE_BYTES",
    "MIN_QUEUE_BYTES",
    "QUEUE_BLOCK_S",
    "SPOOL_BACKPRESSURE_S",
    "WAKE_BYTES",
    "WAKE_ITEMS",
    "HandlerOptions",
]

DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024
"""Default bound of the records waiting to be sent (``max_queue_bytes``): 64 MiB."""


MAX_CLOSE_TIMEOUT_S = 3600.0
"""Longest ``close_timeout`` (and ``flush`` timeout) accepted: one hour."""

QUEUE_BLOCK_S = 1.0
"""How long ``overflow="block"`` waits for room before the record is dropped (counted)."""
SPOOL_BACKPRESSURE_S = 2.0
"""With a spool, how long a full memory queue makes a logging thread wait for the spool to
commit (and free room) before the record is dropped (counted as ``block_timeout``)."""

WAKE_ITEMS = 256
"""Queued records that wake the sender: it formats them while they are young (cheap for the
garbage collector) and keeps only their text until a batch is full."""
WAKE_BYTES = 256 * 1024
"""Queued bytes that wake the sender, for large records."""

MIN_QUEUE_BYTES = 16 * 1024
"""Smallest ``max_queue_bytes``: 16 KiB (a queued record takes about 1 KiB)."""
MAX_QUEUE_BYTES = 64 << 30
"""Largest ``max_queue_bytes``: 64 GiB."""

_MAX_CHUNK_BYTES = 8 * 1_048_576


@dataclass(frozen=True)
class HandlerOptions:
    """The handler's settings: where and how to deliver (``delivery``), the queue in front of
    the sender, how long closing may take, and where the transport comes from."""

    delivery: DeliverySettings
    transports: TransportProvider
    max_queue_bytes: int = DEFAULT_MAX_QUEUE_BYTES
    overflow: Overflow = Overflow.DROP_OLDEST
    close_timeout: float = 10.0
    install_signal_handlers: bool = False
    clock: Clock = time.monotonic

    def __post_init__(self) -> None:
        require_int("max_queue_bytes", self.max_queue_bytes, MIN_QUEUE_BYTES, MAX_QUEUE_BYTES)
        object.__setattr__(self, "overflow", parse_overflow(self.overflow))
        require_seconds(
            "close_timeout", self.close_timeout, allow_zero=True, maximum=MAX_CLOSE_TIMEOUT_S
        )
        require_flag("install_signal_handlers", self.install_signal_handlers)
        if not callable(self.clock):
            raise ConfigurationError(f"clock={self.clock!r} is not callable", code=INVALID_SETTING)
        if self.install_signal_handlers and (
            threading.current_thread() is not threading.main_thread()
        ):
            raise ConfigurationError(
                "install_signal_handlers=True needs the handler to be built on the main thread "
                "(Python installs signal handlers only there): build it there, or call "
                "cw_logging.flush_all() from your own SIGTERM handler",
                code=INVALID_SETTING,
            )

    @classmethod
    def from_arguments(
        cls,
        *,
        client: Any = None,
        transport: Transport | None = None,
        client_options: ClientOptions,
        delivery: Mapping[str, Any],
        retry: RetryPolicy | Mapping[str, Any] | None,
        emit_metrics_interval: float | None,
        max_queue_bytes: int,
        overflow: str | Overflow,
        close_timeout: float,
        install_signal_handlers: bool,
        clock: Clock | None,
    ) -> HandlerOptions:
        """Check the constructor's arguments and build the options (ConfigurationError if bad).

        Called before ``logging.Handler.__init__`` registers the handler with logging: a
        half-built handler would be flushed and closed by ``logging.shutdown()`` and by the next
        ``dictConfig``.
        """
        transports = TransportProvider(transport=transport, client=client, options=client_options)
        fields: dict[str, Any] = dict(delivery)
        max_batch_bytes = fields.get("max_batch_bytes")
        if isinstance(max_batch_bytes, int) and isinstance(max_queue_bytes, int):
            # what the sender holds outside the queue stays small next to the queue's bound
            fields["chunk_bytes"] = min(
                _MAX_CHUNK_BYTES, max(2 * max_batch_bytes, max_queue_bytes // 4, 1)
            )
        settings = DeliverySettings(
            **fields,
            retry=RetryPolicy.from_value(retry),
            spool_overflow=parse_overflow(overflow),
            metrics_interval=emit_metrics_interval,
        )
        return cls(
            delivery=settings,
            max_queue_bytes=max_queue_bytes,
            overflow=parse_overflow(overflow),
            close_timeout=close_timeout,
            install_signal_handlers=install_signal_handlers,
            clock=clock or time.monotonic,
            transports=transports,
        )
