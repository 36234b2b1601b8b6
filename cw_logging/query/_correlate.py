"""Follow a request: every event carrying one trace, request or span id, across log groups.

Lookups are equality filters on the indexed field (``filter traceId = "…"``), never a regex over
``@message``. Ids are checked against a strict allow-list before they are quoted into a query, so
no id can change the query. The time window starts narrow and widens only when nothing is found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from .._limits import MAX_QUERY_LIMIT
from .._options import require_int
from ..errors import AuthenticationError, CloudWatchLogsError, ConfigurationError
from ._client import resolve_client
from ._cost import DEFAULT_PRICE_PER_GB, ScanBudget
from ._fanout import Governor
from ._fleet import LookupResult
from ._groups import normalize_log_group
from ._ids import equality_condition, validate_field_name, validate_id
from ._indexes import catalog_for
from ._insights import Polling
from ._lookup import Lookup
from ._records import CorrelatedEvent, CorrelationKeys, normalize_trace_id
from ._source import validate_prefixes
from ._timerange import TimeRange, as_time_range, to_utc

__all__ = [
    "DEFAULT_WINDOWS",
    "build_correlation_query",
    "build_filter_pattern",
    "find_by_field",
    "find_by_request_id",
    "find_by_span_id",
    "find_by_trace_id",
    "search_windows",
    "timeline",
    "validate_field_name",
    "validate_id",
]

DEFAULT_WINDOWS: tuple[timedelta, ...] = (
    timedelta(hours=1),
    timedelta(hours=24),
    timedelta(days=7),
)
"""The windows tried in turn (ending now, or either side of ``around``) until one finds events."""
FILTER_WINDOW_MAX = timedelta(minutes=15)
"""With ``method="auto"``, windows up to this long use FilterLogEvents (no query to poll)."""

Method = Literal["insights", "filter", "auto"]

_INSIGHTS_UNAVAILABLE = frozenset({"UnsupportedOperationException", "InvalidOperationException"})


def build_correlation_query(field: str, value: str, *, also: Sequence[str] = ()) -> str:
    """Return the Insights query that finds events whose ``field`` (or a field of ``also``)
    equals ``value``, in order."""
    return (
        "fields @timestamp, @message, @logStream, @log\n"
        f"| filter {equality_condition((field, *also), value)}\n"
        "| sort @timestamp asc"
    )


def build_filter_pattern(field: str, value: str, *, also: Sequence[str] = ()) -> str:
    """Return the FilterLogEvents JSON pattern ``{ $.field = "value" }`` (``||`` the fields of
    ``also``)."""
    safe = validate_id(value, field)
    tests = " || ".join(f'$.{validate_field_name(name)} = "{safe}"' for name in (field, *also))
    return f"{{ {tests} }}"


def search_windows(
    windows: Sequence[timedelta] = DEFAULT_WINDOWS,
    *,
    around: datetime | None = None,
    now: datetime | None = None,
) -> list[TimeRange]:
    """Return the time ranges a lookup tries in turn, narrowest first.

    Each ends now, or, with ``around`` (when the request is known to have happened), spans the
    window either side of it, never reaching past now.
    """
    if not windows:
        raise ConfigurationError("windows must list at least one timedelta", code="NoWindows")
    latest = to_utc(now) if now is not None else datetime.now(timezone.utc)
    ranges: list[TimeRange] = []
    for window in sorted(windows):
        if window <= timedelta(0):
            raise ConfigurationError(f"window {window} is not positive", code="InvalidWindow")
        if around is None:
            ranges.append(TimeRange(latest - window, latest))
        else:
            ranges.append(TimeRange.around(around, window).clip_end(latest))
    return ranges


def find_by_field(
    field: str,
    value: str,
    log_groups: Iterable[str] | None = None,
    *,
    prefixes: Sequence[str] | None = None,
    log_classes: Sequence[str] = ("STANDARD",),
    use_index: bool | None = None,
    time_range: TimeRange | timedelta | None = None,
    windows: Sequence[timedelta] = DEFAULT_WINDOWS,
    around: datetime | None = None,
    keys: CorrelationKeys | str = "camel",
    method: Method = "insights",
    limit: int = 10_000,
    timeout: float = 60.0,
    polling: Polling | None = None,
    max_scanned_bytes: int | None = None,
    price_per_gb: float = DEFAULT_PRICE_PER_GB,
    governor: Governor | None = None,
    client: Any = None,
    **client_options: Any,
) -> LookupResult:
    """Return the timeline of events whose JSON ``field`` equals ``value``, across
    ``log_groups`` or every group whose name starts with one of ``prefixes`` (up to 5).

    Tries ``time_range`` if given, else each of :func:`search_windows` until one finds events.
    With ``log_groups``, ``method`` is ``"insights"`` (one Logs Insights query per 50 groups, at
    most ``governor.max_in_flight`` at once), ``"filter"`` (FilterLogEvents per group with
    ``{ $.field = "value" }``) or ``"auto"`` (FilterLogEvents for windows up to 15 minutes or
    when Insights is unavailable to the caller, else Insights). With ``prefixes``, one query per
    class of ``log_classes`` (``SOURCE logGroups(namePrefix: ...)``, no group list): STANDARD
    groups with ``filterIndex`` when the field is indexed in all of them (default fields such as
    ``traceId``, or as DescribeFieldIndexes reports; ``use_index`` forces the choice), else
    ``filter``; INFREQUENT_ACCESS groups (no indexes) with ``filter``. ``keys`` names the id
    fields to search and decode (``"either"``: both spellings, an ``or`` no index can answer).
    ``max_scanned_bytes`` stops the lookup's queries once they have
    scanned more together (:class:`ScanLimitExceeded`). Returns a :class:`LookupResult`: the
    events, de-duplicated and sorted by time, with the queries issued, the bytes scanned and
    skipped, the estimated cost at ``price_per_gb`` and notes on how classes were searched.
    """
    validate_field_name(field)
    validate_id(value, field)
    if method not in ("insights", "filter", "auto"):
        raise ConfigurationError(
            f"method must be 'insights', 'filter' or 'auto', not {method!r}", code="InvalidMethod"
        )
    groups, chosen_prefixes = _scope(log_groups, prefixes, method)
    ranges = [as_time_range(time_range)] if time_range is not None else None
    client = resolve_client(client, client_options)
    key_names = CorrelationKeys.for_style(keys)
    lookup = Lookup(
        client,
        keys=key_names,
        limit=min(require_int("limit", limit, 1), MAX_QUERY_LIMIT),
        timeout=timeout,
        polling=polling or Polling(),
        budget=ScanBudget(max_scanned_bytes),
        governor=governor or Governor(),
    )
    fields = key_names.spellings(field)
    query = build_correlation_query(field, value, also=fields[1:])
    pattern = build_filter_pattern(field, value, also=fields[1:])
    catalog = catalog_for(client) if chosen_prefixes and use_index is None else None

    def search(window: TimeRange, use_filter: bool) -> Iterator[CorrelatedEvent]:
        if chosen_prefixes:
            return lookup.by_prefixes(
                fields, value, chosen_prefixes, window,
                log_classes=log_classes, use_index=use_index, catalog=catalog,
            )  # fmt: skip
        if use_filter:
            return lookup.by_filter(pattern, groups, window)
        return lookup.by_insights(query, groups, window)

    found = _first_found(
        search, ranges or search_windows(windows, around=around), method, filter_ok=bool(groups)
    )
    return lookup.result(found, price_per_gb)


def _first_found(
    search: Callable[[TimeRange, bool], Iterator[CorrelatedEvent]],
    ranges: Sequence[TimeRange],
    method: str,
    *,
    filter_ok: bool,
) -> list[CorrelatedEvent]:
    """The events of the first window where ``search`` finds any; with ``method="auto"``,
    FilterLogEvents for short windows or once Insights proves unavailable (``filter_ok``)."""
    insights_usable = method != "filter"
    for window in ranges:
        use_filter = not insights_usable or (
            method == "auto" and window.duration <= FILTER_WINDOW_MAX and filter_ok
        )
        try:
            found = timeline(search(window, use_filter))
        except CloudWatchLogsError as exc:
            if method != "auto" or use_filter or not filter_ok or not _insights_unavailable(exc):
                raise
            insights_usable = False
            found = timeline(search(window, True))
        if found:
            return found
    return []


def _scope(
    log_groups: Iterable[str] | None, prefixes: Sequence[str] | None, method: str
) -> tuple[list[str], tuple[str, ...]]:
    """The group list or the prefixes a lookup searches (exactly one of them)."""
    if (log_groups is None) == (prefixes is None):
        raise ConfigurationError(
            "pass log_groups=['/my/group', ...] or prefixes=['/my/', ...], one of the two",
            code="NoLogGroups",
        )
    if prefixes is None:
        return _distinct_groups(log_groups or ()), ()
    if method == "filter":
        raise ConfigurationError(
            "method='filter' needs log_groups (FilterLogEvents reads one group a call); "
            "prefixes are searched with Logs Insights",
            code="InvalidMethod",
        )
    return [], validate_prefixes(prefixes)


def find_by_trace_id(
    trace_id: str,
    log_groups: Iterable[str] | None = None,
    *,
    keys: CorrelationKeys | str = "camel",
    **options: Any,
) -> LookupResult:
    """Return the timeline of one trace across ``log_groups`` or ``prefixes=`` (see
    :func:`find_by_field`).

    X-Ray ids (``1-xxxxxxxx-…``) and upper-case hex are converted to the 32-hex W3C form the
    formatter writes.
    """
    field = CorrelationKeys.for_style(keys).trace
    value = normalize_trace_id(validate_id(trace_id, "trace id"))
    return find_by_field(field, value, log_groups, keys=keys, **options)


def find_by_request_id(
    request_id: str,
    log_groups: Iterable[str] | None = None,
    *,
    keys: CorrelationKeys | str = "camel",
    **options: Any,
) -> LookupResult:
    """Return the timeline of one request across ``log_groups`` or ``prefixes=`` (see
    :func:`find_by_field`)."""
    field = CorrelationKeys.for_style(keys).request
    return find_by_field(field, request_id, log_groups, keys=keys, **options)


def find_by_span_id(
    span_id: str,
    log_groups: Iterable[str] | None = None,
    *,
    keys: CorrelationKeys | str = "camel",
    **options: Any,
) -> LookupResult:
    """Return the events of one span across ``log_groups`` or ``prefixes=`` (see
    :func:`find_by_field`)."""
    field = CorrelationKeys.for_style(keys).span
    return find_by_field(field, span_id, log_groups, keys=keys, **options)


def timeline(events: Iterable[CorrelatedEvent]) -> list[CorrelatedEvent]:
    """Return ``events`` de-duplicated and sorted by time (then group and stream).

    Events with the same group, stream, timestamp and message count once: the same event found
    by two queries, or stored twice by an at-least-once retry.
    """
    unique = {event.identity(): event for event in events}
    return sorted(unique.values(), key=lambda e: (e.timestamp, e.group or "", e.stream or ""))


def _distinct_groups(log_groups: Iterable[str]) -> list[str]:
    if isinstance(log_groups, str):
        log_groups = [log_groups]
    groups: list[str] = []
    for group in log_groups:
        identifier, _ = normalize_log_group(group)
        if identifier not in groups:
            groups.append(identifier)
    if not groups:
        raise ConfigurationError(
            "no log groups to search: pass log_groups=['/my/group', ...]", code="NoLogGroups"
        )
    return groups


def _insights_unavailable(error: CloudWatchLogsError) -> bool:
    return isinstance(error, AuthenticationError) or error.code in _INSIGHTS_UNAVAILABLE
