"""``JsonFormatter``: one queryable JSON document per record, with correlation ids and safe values.

Default keys (``key_style="camel"``): ``timestamp`` (ISO 8601 UTC, milliseconds, ``Z``),
``level``, ``logger``, ``message``, ``traceId``, ``requestId``, ``spanId``, ``xrayTraceId``
(ids omitted when unset), ``location`` (``module:function:line``), and on exceptions
``errorType``, ``errorMessage``, ``stackTrace`` (list of lines); then bound correlation fields and
every ``extra=`` field at top level. ``key_style="snake"`` gives ``trace_id``, ``error_type`` etc.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal

from pythonjsonlogger import json as pjl_json

from .._options import INVALID_SETTING
from .._records import (
    EXCEPTION_ATTRIBUTE,
    FORMAT_ERROR_ATTRIBUTE,
    added_attributes,
    exception_summary,
    safe_repr,
    safe_str,
    standard_attributes,
    summary_from_text,
)
from ..context import RECORD_ATTRIBUTE, capture
from ..errors import ConfigurationError
from ..pii import PiiRedactor, redact_fallback
from ._fast_path import FastPath
from ._fitting import fit_document
from ._keys import FROM_FORMATTER, ID_NAMES, INDEXED_KEY_RENAMES, KEY_STYLES, PROTECTED
from ._values import DEFAULT_MAX_REPR, FrozenValue, first_encodable, freeze, json_safe

__all__ = ["JsonFormatter"]

_MISSING = object()
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_MILLISECONDS = tuple(f".{millisecond:03d}Z" for millisecond in range(1000))
_STANDARD = standard_attributes()


class JsonFormatter(pjl_json.JsonFormatter):
    """Format records as one JSON document each (see the module docstring for the keys).

    Options: ``static_fields`` (e.g. ``{"service": "shop"}``) or the ``service``/``environment``
    shortcuts; ``rename_fields`` (output key → new key); ``key_style`` ``"camel"`` or ``"snake"``;
    ``redact`` (True, a :class:`~cw_logging.pii.PiiRedactor`, or a dict of its options) to remove
    PII; ``max_repr`` caps the ``repr`` of unknown objects; ``fmt`` may name more record
    attributes to include (e.g. ``"%(process)d %(threadName)s"``); ``datefmt`` replaces the
    ISO 8601 timestamp with an ``strftime`` format (UTC); ``indexed_keys=True`` writes the level
    as ``severityText`` and the trace id as ``traceId`` whatever the ``key_style``, the fields
    CloudWatch indexes in every STANDARD group for free. Never mutates the record or the objects
    logged, and never raises for a value it cannot encode. Usable from dictConfig with ``"()"``.
    """

    # datefmt and asctime in UTC, like the default timestamp
    converter: Callable[[float | None], time.struct_time] = time.gmtime

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        validate: bool = True,
        *,
        static_fields: Mapping[str, Any] | None = None,
        service: str | None = None,
        environment: str | None = None,
        rename_fields: Mapping[str, str] | None = None,
        key_style: Literal["camel", "snake"] = "camel",
        redact: bool | PiiRedactor | Mapping[str, Any] | None = None,
        max_repr: int = DEFAULT_MAX_REPR,
        reserved_attrs: Iterable[str] | None = None,
        ensure_ascii: bool = False,
        indexed_keys: bool = False,
    ) -> None:
        if key_style not in KEY_STYLES:
            raise ConfigurationError(
                f"key_style={key_style!r} is invalid: use one of {sorted(KEY_STYLES)}",
                code=INVALID_SETTING,
            )
        if max_repr < 16:
            raise ConfigurationError(
                f"max_repr={max_repr!r} is invalid: use at least 16 characters",
                code=INVALID_SETTING,
            )
        statics = dict(static_fields or {})
        for key, value in (("service", service), ("environment", environment)):
            if value is not None:
                statics[key] = value
        renames = dict(rename_fields or {})
        if indexed_keys:  # the names CloudWatch indexes for free; the caller's renames win
            renames = {**INDEXED_KEY_RENAMES[key_style], **renames}
        super().__init__(
            fmt,
            datefmt,
            style,
            validate,
            rename_fields=renames,
            static_fields=statics,
            reserved_attrs=list(reserved_attrs) if reserved_attrs is not None else None,
            json_ensure_ascii=ensure_ascii,
        )
        self.key_style = key_style
        self.max_repr = max_repr
        self.redactor: PiiRedactor | None = None
        if isinstance(redact, PiiRedactor):
            self.redactor = redact
        elif isinstance(redact, Mapping):  # PiiRedactor options, e.g. from dictConfig
            self.redactor = PiiRedactor(**redact)
        elif redact:
            self.redactor = PiiRedactor()
        names = KEY_STYLES[key_style]
        self._keys = {name: renames.get(key, key) for name, key in names.items()}
        # Extras named like an id (either spelling) override the captured id for that record.
        self._id_aliases = {alias: name for name in ID_NAMES for alias in (name, names[name])}
        self._alias_set = frozenset(self._id_aliases)
        self._protected = frozenset(self._keys[name] for name in PROTECTED)
        self._not_redacted = frozenset(
            self._keys[name] for name in (*ID_NAMES, "timestamp", "level", "logger", "location")
        )
        self._skip = frozenset(
            {*_STANDARD, *self.reserved_attrs, *self._required_fields, *self._id_aliases}
        )
        self._encoder = json.JSONEncoder(
            ensure_ascii=ensure_ascii,
            allow_nan=False,
            separators=(",", ":"),
            default=self._default,
        )
        self._second: tuple[int, str] = (-1, "")
        cls = type(self)
        self._own_build = cls.build is JsonFormatter.build
        self._fast = FastPath.for_formatter(self, JsonFormatter)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and deep-copy without the fast path (it holds C encoder state)."""
        state = self.__dict__.copy()
        state["_fast"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or copied formatter, with a fast path of its own."""
        self.__dict__.update(state)
        self._fast = FastPath.for_formatter(self, JsonFormatter)

    # ------------------------------------------------------------------ pieces

    def _default(self, value: Any) -> Any:
        return json_safe(value, self.max_repr)

    def _timestamp(self, record: logging.LogRecord) -> str:
        if self.datefmt:
            return self.formatTime(record, self.datefmt)
        second = int(record.created)
        cached_second, prefix = self._second
        if cached_second != second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, prefix)
        millisecond = int(record.msecs)
        if 0 <= millisecond < 1000:
            return prefix + _MILLISECONDS[millisecond]
        return f"{prefix}.{millisecond:03d}Z"

    def _exception_fields(self, record: logging.LogRecord, data: dict[str, Any]) -> None:
        summary = record.__dict__.get(EXCEPTION_ATTRIBUTE)
        exc_info = record.exc_info
        text = record.exc_text
        if not text and exc_info and exc_info[0] is not None:
            text = logging.Formatter.formatException(self, exc_info)
        if not summary:
            if exc_info and exc_info[0] is not None:
                summary = exception_summary(exc_info)
            elif text:
                summary = summary_from_text(text)
        keys = self._keys
        if summary and summary[0]:
            data[keys["error_type"]], data[keys["error_message"]] = summary
        if text:
            data[keys["stack_trace"]] = text.splitlines()

    def _message(self, record: logging.LogRecord, data: dict[str, Any]) -> None:
        msg = record.msg
        if isinstance(msg, Mapping):
            data[self._keys["message"]] = msg.get("message", "")
            for key, value in msg.items():
                if key != "message":
                    self._add(data, key if isinstance(key, str) else str(key), value)
            return
        try:
            redactor = self.redactor
            data[self._keys["message"]] = (
                record.getMessage() if redactor is None else redactor.render_message(record)
            )
        except Exception as exc:  # bad %-args must not cost the record
            data[self._keys["message"]] = safe_str(msg, self.max_repr)
            data[self._keys["format_error"]] = (
                f"{type(exc).__name__}: {exc}; args={safe_repr(record.args, self.max_repr)}"
            )
        failure = record.__dict__.get(FORMAT_ERROR_ATTRIBUTE)
        if failure:
            data[self._keys["format_error"]] = failure

    def _add(self, data: dict[str, Any], key: str, value: Any) -> None:
        """Add a user-supplied field without letting it replace a core key."""
        if key in self._protected:
            key = f"extra_{key}"
        data[key] = value

    # ------------------------------------------------------------------ formatting

    def build(self, record: logging.LogRecord) -> dict[str, Any]:
        """Return the record as the dict that ``format`` serialises (before redaction)."""
        return self._build(record, _snapshot_of(record))

    def _build(
        self, record: logging.LogRecord, snapshot: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        keys = self._keys
        data: dict[str, Any] = {
            keys["timestamp"]: self._timestamp(record),
            keys["level"]: record.levelname,
            keys["logger"]: record.name,
        }
        self._message(record, data)
        ids, fields = self._ids(record.__dict__, snapshot)
        for name in ID_NAMES:
            if name in ids:
                data[keys[name]] = ids[name]
        data[keys["location"]] = f"{record.module}:{record.funcName}:{record.lineno}"
        if record.exc_info or record.exc_text or EXCEPTION_ATTRIBUTE in record.__dict__:
            self._exception_fields(record, data)
        if record.stack_info:
            data[keys["stack_info"]] = record.stack_info.splitlines()
        self._add_fields(record, fields, data)
        return data

    def _ids(
        self, attributes: Mapping[str, Any], snapshot: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], Mapping[str, Any]]:
        """Return the record's ids (extras named like an id win) and its other bound fields."""
        ids: dict[str, Any] = {}
        fields: Mapping[str, Any] = _EMPTY
        if snapshot:
            ids = {name: snapshot[name] for name in ID_NAMES if name in snapshot}
            if len(ids) < len(snapshot):
                fields = {k: v for k, v in snapshot.items() if k not in ID_NAMES}
        if attributes.keys() & self._alias_set:  # in C; rare
            for alias, name in self._id_aliases.items():
                value = attributes.get(alias)
                if value:
                    ids[name] = value
        return ids, fields

    def _add_fields(
        self,
        record: logging.LogRecord,
        fields: Mapping[str, Any],
        data: dict[str, Any],
        added: list[str] | None = None,
    ) -> None:
        """Add the ``fmt`` fields, static fields, bound fields and extras, in that order
        (``added``: the record's :func:`added_attributes`, when the caller has them)."""
        attributes = record.__dict__
        for field in self._required_fields:
            if field == "asctime":
                self._add(data, self._get_rename(field), self.formatTime(record, self.datefmt))
            elif field not in FROM_FORMATTER:
                self._add(data, self._get_rename(field), attributes.get(field))
        for key, value in self.static_fields.items():
            self._add(data, key, value)
        for key, value in fields.items():
            self._add(data, key, value)
        if added is None:
            added = added_attributes(attributes)
        if added is None:
            extras = _in_record_order(attributes, attributes.keys() - self._skip)
        else:
            skip = self._skip
            extras = [key for key in added if key not in skip]
        if not extras:
            return
        renames = self.rename_fields
        for key in extras:
            if key[:1] != "_":
                self._add(data, renames.get(key, key), attributes[key])

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON; never raises for values it cannot encode."""
        try:
            text = None
            snapshot = _snapshot_of(record)
            if self._fast is not None and self.redactor is None:
                text = self._fast.text(self, record, snapshot)
            if text is None:
                text = self._encode(self._document(record, snapshot))
        except Exception as exc:  # one bad record must never break logging
            fallback = self._fallback(record, exc)
            if self.redactor is not None:
                keep = [self._keys[name] for name in ("timestamp", "level", "logger")]
                fallback = redact_fallback(self.redactor, fallback, keep)
            text = self._encode(fallback)
        return self.prefix + text

    def format_within(self, record: logging.LogRecord, limit: int) -> str:
        """Like :meth:`format`, in at most ``limit`` UTF-8 bytes: a larger document has its
        message (then stack trace, then longest texts) cut and stays valid JSON, with
        ``truncated: true`` and its original size in bytes."""
        text = self.format(record)
        if len(text) * 4 <= limit or len(text.encode("utf-8", "surrogatepass")) <= limit:
            return text
        keys = self._keys
        try:
            data = self._document(record, _snapshot_of(record))
        except Exception as exc:
            data = self._fallback(record, exc)
        room = limit - len(self.prefix.encode("utf-8", "surrogatepass"))
        fitted = fit_document(
            data,
            room,
            self._encode,
            first=(keys["message"], keys["stack_trace"], keys["stack_info"]),
            truncated_key=keys["truncated"],
            original_key=keys["original_size"],
        )
        return self.prefix + fitted

    def freeze_value(self, value: Any) -> Any:
        """``value`` as it is now: a scalar as is, anything else as its JSON text (written as
        JSON, not as a string) — what the handler keeps of mutable ``extra=`` values."""
        return freeze(value, self._encoder.encode, self.max_repr)

    def _document(self, record: logging.LogRecord, snapshot: Any) -> dict[str, Any]:
        """The record as the dict the general path encodes (values thawed, redacted)."""
        data = self._build(record, snapshot) if self._own_build else self.build(record)
        data = {
            key: json.loads(value) if value.__class__ is FrozenValue else value
            for key, value in data.items()
        }
        if self.redactor is not None:
            data = self._redacted(data)
        return data

    def _redacted(self, data: dict[str, Any]) -> dict[str, Any]:
        redactor = self.redactor
        assert redactor is not None
        untouched = self._not_redacted
        stack_keys = (self._keys["stack_trace"], self._keys["stack_info"])
        result: dict[str, Any] = {}
        for key, value in data.items():
            if key in untouched:
                result[key] = value
            elif key in stack_keys and isinstance(value, list):
                # redact the text whole so multi-line secrets (PEM keys) are caught
                result[key] = redactor.redact_text("\n".join(value)).splitlines()
            elif redactor.is_sensitive_key(key):
                result[key] = "[REDACTED]"
            elif type(value) is str:
                result[key] = redactor.redact_text(value)
            else:
                result[key] = redactor.redact(value, self._default)
        return result

    def _encode(self, data: dict[str, Any]) -> str:
        try:
            return self._encoder.encode(data)
        except (ValueError, TypeError, RecursionError):
            # circular references, NaN, odd keys: encode field by field, replacing what fails
            safe: dict[str, Any] = {}
            for key, value in data.items():
                safe[str(key)] = first_encodable(value, self._encoder.encode, self.max_repr)[0]
            return self._encoder.encode(safe)

    def _fallback(self, record: logging.LogRecord, exc: Exception) -> dict[str, Any]:
        keys = self._keys
        try:
            timestamp = self._timestamp(record)
        except Exception:  # a record without a usable creation time
            timestamp = self._timestamp(logging.makeLogRecord({}))
        return {
            keys["timestamp"]: timestamp,
            keys["level"]: getattr(record, "levelname", "NOTSET"),
            keys["logger"]: getattr(record, "name", ""),
            keys["message"]: safe_str(getattr(record, "msg", None), self.max_repr),
            keys["format_error"]: f"{type(exc).__name__}: {exc}",
        }


def _in_record_order(attributes: dict[str, Any], keys: set[str]) -> list[str]:
    """``keys`` (all in ``attributes``) in the order of ``attributes``.

    Searched from the end: extra fields are set after a record's standard attributes.
    """
    if len(keys) == 1:
        return list(keys)
    found: list[str] = []
    for key in reversed(attributes):
        if key in keys:
            found.append(key)
            if len(found) == len(keys):
                break
    found.reverse()
    return found


def _snapshot_of(record: logging.LogRecord) -> Any:
    """The correlation snapshot taken by the handler, or the current context's."""
    snapshot = record.__dict__.get(RECORD_ATTRIBUTE, _MISSING)
    return capture() if snapshot is _MISSING else snapshot
