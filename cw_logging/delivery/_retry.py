"""How the sender waits after failures: backoff, circuit breaker, bisect budget, reporting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from .._options import INVALID_SETTING, require_int, require_seconds
from ..errors import ConfigurationError

__all__ = ["RetryPolicy"]

_MAX_WAIT_S = 3600.0


@dataclass(frozen=True)
class RetryPolicy:
    """How the sender waits after failures (the ``retry=`` option of the handler).

    Retry ``n`` of a batch waits a jittered delay of up to ``min(max_delay, base_delay * 2**n)``
    (longer when the service asks for it). ``failure_threshold`` consecutive failures open the
    circuit breaker: no call for ``reset_timeout`` seconds, doubling up to ``max_reset_timeout``
    while trial calls keep failing. ``bisect_budget`` caps the extra calls spent isolating refused
    events in one batch. ``report_interval`` is the least time between two stderr reports of the
    same kind of problem.
    """

    base_delay: float = 0.2
    max_delay: float = 30.0
    failure_threshold: int = 5
    reset_timeout: float = 5.0
    max_reset_timeout: float = 60.0
    bisect_budget: int = 64
    report_interval: float = 60.0

    def __post_init__(self) -> None:
        for name in ("base_delay", "max_delay", "reset_timeout", "max_reset_timeout"):
            require_seconds(f"retry.{name}", getattr(self, name), maximum=_MAX_WAIT_S)
        require_seconds(
            "retry.report_interval", self.report_interval, allow_zero=True, maximum=86_400.0
        )
        require_int("retry.failure_threshold", self.failure_threshold, 1, 1_000)
        require_int("retry.bisect_budget", self.bisect_budget, 0, 10_000)
        if self.max_delay < self.base_delay or self.max_reset_timeout < self.reset_timeout:
            raise ConfigurationError(
                f"retry={self!r} is invalid: max_delay must be >= base_delay and "
                "max_reset_timeout >= reset_timeout",
                code=INVALID_SETTING,
            )

    @classmethod
    def from_value(cls, value: RetryPolicy | Mapping[str, object] | None) -> RetryPolicy:
        """Return ``value`` as a policy: a policy as is, a mapping of its fields (dictConfig),
        or the default for None."""
        if value is None:
            return cls()
        if isinstance(value, RetryPolicy):
            return value
        if isinstance(value, Mapping):
            known = {field.name for field in fields(cls)}
            unknown = sorted(set(value) - known)
            if unknown:
                raise ConfigurationError(
                    f"retry has unknown keys {unknown}: use {sorted(known)}", code=INVALID_SETTING
                )
            return cls(**{**asdict(cls()), **value})
        raise ConfigurationError(
            f"retry={value!r} is invalid: pass a cw_logging.RetryPolicy or a dict of its fields",
            code=INVALID_SETTING,
        )
