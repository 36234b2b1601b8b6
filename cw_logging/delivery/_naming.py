"""Log stream names from a template with {hostname}, {pid}, {program}, {date} and {logger}.

``{date}`` is the record's own UTC date (``YYYY-MM-DD``), ``{logger}`` the record's logger name;
the others describe the process. Rendered names are made valid for CloudWatch (``:`` and ``*``
replaced, at most 512 characters).
"""

from __future__ import annotations

import os
import socket
import string
import sys
import time
from typing import Protocol

from .._limits import sanitize_log_stream_name
from ..errors import ConfigurationError

__all__ = ["DEFAULT_STREAM_TEMPLATE", "PLACEHOLDERS", "StreamNamer"]

DEFAULT_STREAM_TEMPLATE = "{hostname}-{pid}"
"""The stream name template used when none is given."""

PLACEHOLDERS = frozenset({"hostname", "pid", "program", "date", "logger"})
"""The placeholders a stream template may use."""

_PER_RECORD = frozenset({"date", "logger"})
_SECONDS_PER_DAY = 86_400


class _Record(Protocol):
    created: float
    name: str


def _placeholders(template: str) -> set[str]:
    """Return the placeholder names in ``template``; raise ConfigurationError if it is malformed."""
    if not isinstance(template, str) or not template.strip():
        raise ConfigurationError(
            f"invalid log_stream template {template!r}: use a non-empty string such as "
            f"{DEFAULT_STREAM_TEMPLATE!r}",
            code="InvalidLogStreamTemplate",
        )
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigurationError(
            f"invalid log_stream template {template!r}: {exc}; write literal braces as {{{{ }}}}",
            code="InvalidLogStreamTemplate",
        ) from exc
    fields = {name for _, name, _, _ in parsed if name is not None}
    has_specs = any(spec or conv for _, name, spec, conv in parsed if name is not None)
    unknown = fields - PLACEHOLDERS
    if unknown or has_specs:
        allowed = ", ".join(f"{{{name}}}" for name in sorted(PLACEHOLDERS))
        raise ConfigurationError(
            f"invalid log_stream template {template!r}: use only the placeholders {allowed} "
            "without format specs",
            code="InvalidLogStreamTemplate",
        )
    return fields


def _program() -> str:
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    name = os.path.basename(argv0)
    if name in ("", "-c", "-m", "__main__.py"):
        name = os.path.basename(sys.executable) or "python"
    return name


class StreamNamer:
    """Renders a validated stream name template for records; cheap when called per record.

    Process values (hostname, program, pid) are read when the namer is created, so a namer made in
    a forked child uses the child's pid.
    """

    def __init__(self, template: str = DEFAULT_STREAM_TEMPLATE) -> None:
        self.template = template
        fields = _placeholders(template)
        self._per_record = bool(fields & _PER_RECORD)
        self._static = {
            "hostname": socket.gethostname() or "localhost",
            "pid": str(os.getpid()),
            "program": _program(),
        }
        self._fixed = None if self._per_record else self._render("", "")
        self._cache: dict[tuple[int, str], str] = {}

    @staticmethod
    def validate(template: str) -> str:
        """Return ``template`` if it is a usable stream template, else raise ConfigurationError."""
        _placeholders(template)
        return template

    def _render(self, date: str, logger: str) -> str:
        name = self.template.format(date=date, logger=logger, **self._static)
        return sanitize_log_stream_name(name)

    def name_for(self, record: _Record) -> str:
        """Return the stream name for ``record`` (its UTC date and logger name where used)."""
        fixed = self._fixed
        if fixed is not None:
            return fixed
        day = int(record.created // _SECONDS_PER_DAY)
        key = (day, record.name)
        name = self._cache.get(key)
        if name is None:
            if len(self._cache) > 4096:  # many loggers over many days: keep memory bounded
                self._cache.clear()
            date = time.strftime("%Y-%m-%d", time.gmtime(day * _SECONDS_PER_DAY))
            name = self._cache[key] = self._render(date, record.name)
        return name
