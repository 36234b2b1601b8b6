"""``JsonFormatter``: one queryable JSON document per record, with correlation ids and safe values.

Default keys (``key_style="camel"``): ``timestamp`` (ISO 8601 UTC, milliseconds, ``Z``),
``level``, ``logger``, ``message``, ``traceId``, ``requestId``, ``spanId``, ``xrayTraceId``
(ids omitted when unset), ``location`` (``module:function:line``), and on exceptions
``errorType``, ``errorMessage``, ``stackTrace`` (list of lines); then bound correlation fields and
every ``extra=`` field at top level. ``key_style="snake"`` gives ``trace_id``, ``error_type`` etc.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import logging
import math
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from json.encoder import (  # type: ignore[attr-defined]
    c_make_encoder,
    encode_basestring,
    encode_basestring_ascii,
)
from types import MappingProxyType, TracebackType
from typing import Any, Literal

from pythonjsonlogger import json as pjl_json

from ..context._context import (
    RECORD_ATTRIBUTE,
    REQUEST_ID,
    SPAN_ID,
    TRACE_ID,
    XRAY_TRACE_ID,
    capture,
)
from ..pii._redactor import PiiRedactor

__all__ = [
    "EXCEPTION_ATTRIBUTE",
    "KEY_STYLES",
    "JsonFormatter",
    "exception_summary",
    "json_safe",
    "standard_attributes",
]

EXCEPTION_ATTRIBUTE = "_cw_exception"
"""Optional LogRecord attribute: ``(errorType, errorMessage)`` captured where ``exc_info`` was
available (the caller thread). When present it wins over ``exc_info`` and over parsing
``exc_text``; the leading underscore keeps it out of the output."""

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# canonical name -> output key, per style
KEY_STYLES: dict[str, dict[str, str]] = {
    "camel": {
        "timestamp": "timestamp",
        "level": "level",
        "logger": "logger",
        "message": "message",
        TRACE_ID: "traceId",
        REQUEST_ID: "requestId",
        SPAN_ID: "spanId",
        XRAY_TRACE_ID: "xrayTraceId",
        "location": "location",
        "error_type": "errorType",
        "error_message": "errorMessage",
        "stack_trace": "stackTrace",
        "stack_info": "stackInfo",
        "format_error": "formatError",
    },
    "snake": {
        "timestamp": "timestamp",
        "level": "level",
        "logger": "logger",
        "message": "message",
        TRACE_ID: TRACE_ID,
        REQUEST_ID: REQUEST_ID,
        SPAN_ID: SPAN_ID,
        XRAY_TRACE_ID: XRAY_TRACE_ID,
        "location": "location",
        "error_type": "error_type",
        "error_message": "error_message",
        "stack_trace": "stack_trace",
        "stack_info": "stack_info",
        "format_error": "format_error",
    },
}
"""Output key names per ``key_style``; ``rename_fields`` applies on top."""

_ID_NAMES = (TRACE_ID, REQUEST_ID, SPAN_ID, XRAY_TRACE_ID)
_PROTECTED = (
    "timestamp",
    "level",
    "logger",
    "message",
    "location",
    "error_type",
    "error_message",
    "stack_trace",
    "stack_info",
    "format_error",
)
_MISSING = object()
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_FROM_FORMATTER = frozenset({"message", "exc_text", *_ID_NAMES})
_DEFAULT_MAX_REPR = 1000


def standard_attributes() -> frozenset[str]:
    """Return the names of attributes every LogRecord has (never treated as extra fields)."""
    return _STANDARD


_STANDARD = frozenset(
    {*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime", "taskName"}
)


def exception_summary(exc_info: ExcInfo | tuple[None, None, None]) -> tuple[str, str]:
    """Return ``(errorType, errorMessage)`` for an exc_info tuple, named as tracebacks name it."""
    exc_type, exc, _ = exc_info
    if exc_type is None:
        return "", ""
    name = exc_type.__qualname__
    if exc_type.__module__ not in ("builtins", "__main__"):
        name = f"{exc_type.__module__}.{name}"
    try:
        message = str(exc)
    except Exception:
        message = f"<unprintable {name} object>"
    return name, message


def _summary_from_text(text: str) -> tuple[str, str]:
    """Best effort ``(errorType, errorMessage)`` from traceback text (last exception block)."""
    lines = text.rstrip("\n").splitlines()
    start = len(lines)
    # The final exception starts at the last unindented line after the last frame line.
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if line.startswith((" ", "\t")) or line.startswith("Traceback ("):
            break
        start = index
    if start >= len(lines):
        return "", ""
    head, _, first = lines[start].partition(": ")
    message = "\n".join([first, *lines[start + 1 :]]) if first or start + 1 < len(lines) else ""
    return head.strip(), message.strip("\n")


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"...[{len(text) - limit} more chars]"


def _safe_str(value: object, limit: int) -> str:
    try:
        return _cap(str(value), limit)
    except Exception:
        return _safe_repr(value, limit)


def _safe_repr(value: object, limit: int) -> str:
    try:
        return _cap(repr(value), limit)
    except Exception:
        return f"<unrepresentable {type(value).__qualname__}>"


def json_safe(value: object, max_repr: int = _DEFAULT_MAX_REPR) -> Any:
    """Convert a value json cannot encode into one it can (never raises).

    datetime/date/time → ISO 8601, Decimal/UUID/paths → str, bytes → UTF-8 text (undecodable
    bytes escaped), set → list, Enum → its value, dataclass → dict, exception → ``Type: msg``,
    anything else → ``repr`` capped at ``max_repr`` characters.
    """
    try:
        if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, (Decimal, uuid.UUID)):
            return str(value)
        if isinstance(value, (bytes, bytearray, memoryview)):
            return _cap(bytes(value).decode("utf-8", "backslashreplace"), max_repr)
        if isinstance(value, (set, frozenset)):
            try:
                return sorted(value)
            except TypeError:
                return list(value)
        if isinstance(value, enum.Enum):
            return value.value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        if isinstance(value, BaseException):
            return "{}: {}".format(*exception_summary((type(value), value, None)))
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if isinstance(value, float):  # NaN and infinities are not JSON
            return str(value)
    except Exception:
        pass
    return _safe_repr(value, max_repr)


class JsonFormatter(pjl_json.JsonFormatter):
    """Format records as one JSON document each (see the module docstring for the keys).

    Options: ``static_fields`` (e.g. ``{"service": "shop"}``) or the ``service``/``environment``
    shortcuts; ``rename_fields`` (output key → new key); ``key_style`` ``"camel"`` or ``"snake"``;
    ``redact`` (True, a :class:`~cw_logging.pii.PiiRedactor`, or a dict of its options) to remove
    PII; ``max_repr`` caps the ``repr`` of unknown objects; ``fmt`` may name more record
    attributes to include (e.g. ``"%(process)d %(threadName)s"``); ``datefmt`` replaces the
    ISO 8601 timestamp with an ``strftime`` format (UTC). Never mutates the record or the objects
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
        max_repr: int = _DEFAULT_MAX_REPR,
        reserved_attrs: Iterable[str] | None = None,
        ensure_ascii: bool = False,
    ) -> None:
        if key_style not in KEY_STYLES:
            raise ValueError(f"key_style must be one of {sorted(KEY_STYLES)}, not {key_style!r}")
        if max_repr < 16:
            raise ValueError(f"max_repr must be at least 16 characters, not {max_repr}")
        statics = dict(static_fields or {})
        for key, value in (("service", service), ("environment", environment)):
            if value is not None:
                statics[key] = value
        renames = dict(rename_fields or {})
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
        self._id_aliases = {alias: name for name in _ID_NAMES for alias in (name, names[name])}
        self._alias_set = frozenset(self._id_aliases)
        self._protected = frozenset(self._keys[name] for name in _PROTECTED)
        self._not_redacted = frozenset(
            self._keys[name] for name in (*_ID_NAMES, "timestamp", "level", "logger", "location")
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
        self._fast = _FastPath.for_formatter(self)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle and deep-copy without the fast path (it holds C encoder state)."""
        state = self.__dict__.copy()
        state["_fast"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled or copied formatter, with a fast path of its own."""
        self.__dict__.update(state)
        self._fast = _FastPath.for_formatter(self)

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
        return f"{prefix}.{int(record.msecs):03d}Z"

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
                summary = _summary_from_text(text)
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
            data[self._keys["message"]] = _safe_str(msg, self.max_repr)
            data[self._keys["format_error"]] = (
                f"{type(exc).__name__}: {exc}; args={_safe_repr(record.args, self.max_repr)}"
            )

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
        for name in _ID_NAMES:
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
            ids = {name: snapshot[name] for name in _ID_NAMES if name in snapshot}
            if len(ids) < len(snapshot):
                fields = {k: v for k, v in snapshot.items() if k not in _ID_NAMES}
        if attributes.keys() & self._alias_set:  # in C; rare
            for alias, name in self._id_aliases.items():
                value = attributes.get(alias)
                if value:
                    ids[name] = value
        return ids, fields

    def _add_fields(
        self, record: logging.LogRecord, fields: Mapping[str, Any], data: dict[str, Any]
    ) -> None:
        """Add the ``fmt`` fields, static fields, bound fields and extras, in that order."""
        attributes = record.__dict__
        for field in self._required_fields:
            if field == "asctime":
                self._add(data, self._get_rename(field), self.formatTime(record, self.datefmt))
            elif field not in _FROM_FORMATTER:
                self._add(data, self._get_rename(field), attributes.get(field))
        for key, value in self.static_fields.items():
            self._add(data, key, value)
        for key, value in fields.items():
            self._add(data, key, value)
        extras = attributes.keys() - self._skip  # in C: most records have few or no extras
        if not extras:
            return
        renames = self.rename_fields
        for key in _in_record_order(attributes, extras):
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
                data = self._build(record, snapshot) if self._own_build else self.build(record)
                if self.redactor is not None:
                    data = self._redacted(data)
                text = self._encode(data)
        except Exception as exc:  # one bad record must never break logging
            text = self._encode(self._fallback(record, exc))
        return self.prefix + text

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
                try:
                    self._encoder.encode(value)
                    safe[str(key)] = value
                except (ValueError, TypeError, RecursionError):
                    safe[str(key)] = _sanitised(value, self.max_repr)
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
            keys["message"]: _safe_str(getattr(record, "msg", None), self.max_repr),
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


class _FastPath:
    """JSON text for plain records (no exception, stack, mapping message or redaction), built
    from pre-encoded key names; the result equals encoding :meth:`JsonFormatter.build`'s dict.

    Returns None whenever that equality is not certain, and the formatter takes its general
    path.
    """

    # methods whose work this path replaces: overriding one in a subclass disables the path
    REPLACES = ("build", "_build", "_message", "_encode", "_ids")

    def __init__(self, formatter: JsonFormatter, encoded: dict[str, str]) -> None:
        encoder = formatter._encoder
        self.quote = encode_basestring_ascii if encoder.ensure_ascii else encode_basestring
        self.encoder = encoder
        self.encode = self._encoder_function()
        self.open = "{" + encoded["timestamp"]
        self.level = "," + encoded["level"]
        self.logger = "," + encoded["logger"]
        self.message = "," + encoded["message"]
        self.location = "," + encoded["location"]
        self.ids = tuple((name, "," + encoded[name]) for name in _ID_NAMES)
        self.id_keys = frozenset(formatter._keys[name] for name in _ID_NAMES)
        # (snapshot, its ids as JSON text or None, its other fields) of the last snapshot seen:
        # records logged in one correlation scope share one snapshot object
        self.last: tuple[object, str | None, Mapping[str, Any]] = (_MISSING, None, _EMPTY)

    @classmethod
    def for_formatter(cls, formatter: JsonFormatter) -> _FastPath | None:
        """Return the fast path for ``formatter``, or None if its settings or class rule it out."""
        if any(
            getattr(type(formatter), name) is not getattr(JsonFormatter, name)
            for name in cls.REPLACES
        ):
            return None
        names = ("timestamp", "level", "logger", "message", "location", *_ID_NAMES)
        keys = [formatter._keys[name] for name in names]
        if len(set(keys)) != len(keys) or not all(type(key) is str for key in keys):
            return None  # renamed onto each other, or not text: the dict merges or converts them
        encode = formatter._encoder.encode
        encoded = {name: encode({key: 0})[1:-2] for name, key in zip(names, keys, strict=True)}
        return cls(formatter, encoded)

    def text(
        self, formatter: JsonFormatter, record: logging.LogRecord, snapshot: Any
    ) -> str | None:
        """Return ``record`` as JSON text, or None when the general path must produce it."""
        attributes = record.__dict__
        if (
            record.msg.__class__ is not str
            or record.exc_info
            or record.exc_text
            or record.stack_info
            or EXCEPTION_ATTRIBUTE in attributes
        ):
            return None
        try:
            message = record.getMessage()
        except Exception:  # the general path records the formatting error
            return None
        timestamp = formatter._timestamp(record)
        level = record.levelname
        logger = record.name
        if not (
            timestamp.__class__ is str
            and level.__class__ is str
            and logger.__class__ is str
            and message.__class__ is str
        ):
            return None
        aliased = attributes.keys() & formatter._alias_set
        last_snapshot, ids, fields = self.last
        if snapshot is not last_snapshot or aliased:
            ids_dict, fields = formatter._ids(attributes, snapshot)
            ids = self._ids_text(ids_dict)
            if not aliased and (snapshot is None or snapshot.__class__ is MappingProxyType):
                self.last = (snapshot, ids, fields)  # read-only snapshots, as context makes
        if ids is None:
            return None
        quote = self.quote
        head = (
            f"{self.open}{quote(timestamp)}{self.level}{quote(level)}{self.logger}"
            f"{quote(logger)}{self.message}{quote(message)}{ids}{self.location}"
            f"{quote(f'{record.module}:{record.funcName}:{record.lineno}')}"
        )
        rest: dict[str, Any] = {}
        formatter._add_fields(record, fields, rest)
        if not rest:
            return head + "}"
        if not self.id_keys.isdisjoint(rest):
            return None  # a field replaces an id in place: only the dict gets that right
        tail = self._fields_text(rest)
        return None if tail is None else f"{head}{tail}}}"

    def _ids_text(self, ids: Mapping[str, Any]) -> str | None:
        """The ids as JSON members (each with a leading comma), or None if one is not text."""
        parts = []
        quote = self.quote
        for name, key in self.ids:
            if name in ids:
                value = ids[name]
                if value.__class__ is not str:
                    return None
                parts.append(key + quote(value))
        return "".join(parts)

    def _fields_text(self, fields: dict[str, Any]) -> str | None:
        """The fields as JSON members (each with a leading comma), as the encoder writes them;
        None if the encoder fails on them (the general path sanitises)."""
        quote = self.quote
        encode = self.encode
        parts = []
        try:
            for key, value in fields.items():
                if key.__class__ is not str:  # the encoder converts such keys: it does them all
                    return "," + encode(fields)[1:-1]
                kind = value.__class__
                if kind is str:
                    text = quote(value)
                elif kind is int:
                    text = int.__repr__(value)
                elif kind is float and math.isfinite(value):
                    text = float.__repr__(value)
                elif value is None:
                    text = "null"
                elif kind is bool:
                    text = "true" if value else "false"
                else:
                    text = encode(value)
                parts.append(f",{quote(key)}:{text}")
        except (ValueError, TypeError, RecursionError):
            self.encode = self._encoder_function()  # its circular-reference marks may be stale
            return None
        return "".join(parts)

    def _encoder_function(self) -> Callable[[Any], str]:
        """One value to JSON text exactly as the formatter's encoder writes it inside a document;
        built once (``JSONEncoder.encode`` builds its C encoder on every call)."""
        encoder = self.encoder
        if c_make_encoder is None or encoder.indent is not None:
            return encoder.encode
        make = c_make_encoder(
            {} if encoder.check_circular else None,
            encoder.default,
            self.quote,
            None,
            encoder.key_separator,
            encoder.item_separator,
            encoder.sort_keys,
            encoder.skipkeys,
            encoder.allow_nan,
        )
        return lambda value: "".join(make(value, 0))


def _sanitised(
    value: Any, max_repr: int, depth: int = 0, seen: frozenset[int] = frozenset()
) -> Any:
    """Deep-convert ``value`` to plain JSON types, breaking cycles and non-finite floats."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth > 32 or id(value) in seen:
        return _safe_repr(value, max_repr) if depth > 32 else "<circular reference>"
    inner = seen | {id(value)}
    if isinstance(value, Mapping):
        return {
            str(key): _sanitised(item, max_repr, depth + 1, inner) for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_sanitised(item, max_repr, depth + 1, inner) for item in value]
    converted = json_safe(value, max_repr)
    if isinstance(converted, str):
        return converted
    return _sanitised(converted, max_repr, depth + 1, inner)
