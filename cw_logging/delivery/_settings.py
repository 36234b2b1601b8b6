"""Everything the sender needs to know about where and how to deliver, checked once."""

from __future__ import annotations

from dataclasses import dataclass, field

from .._limits import (
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    validate_log_group_name,
    validate_retention_days,
)
from .._options import (
    INVALID_SETTING,
    Overflow,
    Oversize,
    parse_overflow,
    parse_oversize,
    require_flag,
    require_int,
    require_seconds,
)
from ..errors import ConfigurationError
from ..spool._settings import DEFAULT_SPOOL_MAX_BYTES, check_spool_directory, check_spool_limits
from ._batching import validate_batch_limits
from ._naming import DEFAULT_STREAM_TEMPLATE, StreamNamer
from ._retry import RetryPolicy

__all__ = [
    "MAX_INTERVAL_S",
    "MAX_SPOOL_BYTES",
    "MIN_INTERVAL_S",
    "MIN_SPOOL_BYTES",
    "DeliverySettings",
]

MIN_INTERVAL_S = 0.01
"""Shortest interval (flush, metrics, spool commit) a setting may ask for: 10 ms."""
MAX_INTERVAL_S = 86_400.0
"""Longest interval (flush, metrics) a setting may ask for: one day."""
MAX_COMMIT_INTERVAL_S = 60.0
"""Longest ``spool_commit_interval``: records wait at most this long in memory."""
MIN_SPOOL_BYTES = 4096
"""Smallest ``spool_max_bytes``: 4 KiB."""
MAX_SPOOL_BYTES = 1 << 40
"""Largest ``spool_max_bytes``: 1 TiB."""


@dataclass(frozen=True)
class DeliverySettings:
    """Where records go and how the sender batches, retries and spools them.

    Every field is checked when the settings are made: a bad one raises ConfigurationError.
    """

    log_group: str
    log_stream: str = DEFAULT_STREAM_TEMPLATE
    """The stream name template (see :class:`~cw_logging.delivery._naming.StreamNamer`)."""
    create_log_group: bool = False
    create_log_stream: bool = True
    retention_days: int | None = None
    flush_interval: float = 5.0
    max_batch_events: int = MAX_BATCH_EVENTS
    max_batch_bytes: int = MAX_BATCH_BYTES
    max_event_bytes: int = MAX_EVENT_BYTES
    oversize: Oversize = Oversize.TRUNCATE
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    chunk_bytes: int = 8 * 1_048_576
    """Roughly how many queue bytes one drain takes: what is held in memory outside the queue
    while it is being sent (room for a full batch of 10,000 small records)."""
    spool_dir: str | None = None
    """Directory of the durable spool; None keeps records in memory only."""
    spool_commit_interval: float = 0.2
    """Longest time a record waits in memory before it is committed to the spool."""
    spool_max_bytes: int = DEFAULT_SPOOL_MAX_BYTES
    spool_overflow: Overflow = Overflow.DROP_OLDEST
    metrics_interval: float | None = None
    """Seconds between two EMF metrics lines on stdout; None: never."""
    adopt_interval: float = 60.0
    """Seconds between two looks for spool files that processes left when they died."""

    def __post_init__(self) -> None:
        validate_log_group_name(self.log_group)
        StreamNamer.validate(self.log_stream)
        require_flag("create_log_group", self.create_log_group)
        require_flag("create_log_stream", self.create_log_stream)
        if self.retention_days is not None:
            validate_retention_days(self.retention_days)
            if not self.create_log_group:
                raise ConfigurationError(
                    "retention_days is applied when the handler creates the log group: pass "
                    "create_log_group=True too, or set the retention on the existing group",
                    code=INVALID_SETTING,
                )
        _interval("flush_interval", self.flush_interval, MAX_INTERVAL_S)
        validate_batch_limits(self.max_batch_events, self.max_batch_bytes, self.max_event_bytes)
        object.__setattr__(self, "oversize", parse_oversize(self.oversize))
        object.__setattr__(self, "spool_overflow", parse_overflow(self.spool_overflow))
        object.__setattr__(self, "retry", RetryPolicy.from_value(self.retry))
        require_int("chunk_bytes", self.chunk_bytes, 1)
        if self.spool_dir is not None:
            object.__setattr__(self, "spool_dir", check_spool_directory(self.spool_dir))
            from . import _spooling  # noqa: F401  (with SQLite: never imported by our threads)
        _interval("spool_commit_interval", self.spool_commit_interval, MAX_COMMIT_INTERVAL_S)
        check_spool_limits(self.spool_max_bytes)
        require_int("spool_max_bytes", self.spool_max_bytes, MIN_SPOOL_BYTES, MAX_SPOOL_BYTES)
        if self.metrics_interval is not None:
            _interval("emit_metrics_interval", self.metrics_interval, MAX_INTERVAL_S)
        _interval("adopt_interval", self.adopt_interval, MAX_INTERVAL_S)


def _interval(name: str, value: object, maximum: float) -> float:
    seconds = require_seconds(name, value, maximum=maximum)
    if seconds < MIN_INTERVAL_S:
        raise ConfigurationError(
            f"{name}={value!r} is too short: use at least {MIN_INTERVAL_S:g} seconds",
            code=INVALID_SETTING,
        )
    return seconds
