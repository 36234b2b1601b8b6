"""Every command and function AWS's Logs Insights QL pages document, and what this engine does
with each: evaluates it, or refuses a query that uses it, naming it. Nothing is ignored.

docs/insights-conformance.md is generated from this list (``python -m
cw_logging.local.insights._catalogue``) and tests/local/insights check both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGES = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
SYNTAX = PAGES + "CWL_QuerySyntax.html"
FUNCTIONS = PAGES + "CWL_QuerySyntax-operations-functions.html"
STATS = PAGES + "CWL_QuerySyntax-Stats.html"
HASHING = PAGES + "CWL_QuerySyntax-hash-functions.html"
TIME_SERIES = PAGES + "CWL_QuerySyntax-timeseries-functions.html"
UNMASK = PAGES + "CWL_QuerySyntax-Unmask.html"


@dataclass(frozen=True)
class Entry:
    """One documented command or function: its name as the page writes it, its kind
    (``command``, ``function``, ``aggregate``), whether this engine evaluates it, the page
    that documents it, and a note (for a refusal: why)."""

    name: str
    kind: str
    supported: bool
    page: str
    note: str = ""


def _command(name: str, note: str = "", *, supported: bool = True, page: str = "") -> Entry:
    return Entry(name, "command", supported, page or f"{PAGES}CWL_QuerySyntax-{name}.html", note)


def _refused(name: str, note: str) -> Entry:
    return _command(name, note, supported=False)


def _functions(names: str, page: str, note: str = "", *, kind: str = "function") -> list[Entry]:
    return [Entry(name, kind, True, page, note) for name in names.split()]


def _refused_functions(names: str, page: str, note: str) -> list[Entry]:
    return [Entry(name, "function", False, page, note) for name in names.split()]


_MACHINE_LEARNING = "Machine learning over the log group's history; no local equivalent."
_LOOKUP_TABLES = "Lookup tables do not exist in the local engine."
_NEWER = "Documented in 2026; not implemented locally yet."

CATALOGUE: tuple[Entry, ...] = (
    _command("fields", "Expressions, functions and `as` aliases; items left to right."),
    _command("display", "The last `display` decides the fields shown."),
    _command("filter", "Comparisons, and/or/not, like/=~, in, arithmetic, functions."),
    _command("where", "Alias of `filter`."),
    _command("parse", "Glob (`*`, with `as`) and regex with named groups; field optional."),
    _command("stats", "At most two; the second may use only what the first produced."),
    _command("sort", "Natural sort, several keys, asc/desc."),
    _command("limit", "`limit N` and `limit any N` (1 to 10,000 rows shown, 100,000 max)."),
    _command("dedup", "Missing values are never duplicates; only `limit` may follow."),
    _command("unnest", "`unnest list into item`: a row per element; other values one row."),
    _refused("addtotals", _NEWER),
    _refused("anomaly", _MACHINE_LEARNING),
    _refused("pattern", _MACHINE_LEARNING),
    _refused("diff", "Needs the previous time period's patterns."),
    _command(
        "filterIndex",
        "Reads only events a field index lists (default fields, PutIndexPolicy); skips groups "
        "without the index.",
    ),
    _refused(
        "SOURCE",
        "StartQuery evaluates it (namePrefix, class) to select the groups; a query compiled "
        "alone refuses it.",
    ),
    _refused("lookup", _LOOKUP_TABLES),
    _refused("cidrlookup", _LOOKUP_TABLES),
    _refused("join", "Correlating several log groups in one query is not implemented locally."),
    _refused("subqueries", "Nested queries are not implemented locally."),
    _refused("relevantfields", _MACHINE_LEARNING),
    _refused("expand", _NEWER),
    _refused("autoregress", _NEWER),
    _refused("logcompare", "Needs a baseline time window."),
    _refused("filldown", _NEWER),
    _refused("fillmissing", _NEWER),
    _refused("outlier", _NEWER),
    _refused("accum", _NEWER),
    _refused("appendcols", _NEWER),
    _refused("sessionize", _NEWER),
    _refused("countFrequent", _NEWER),
    Entry("unmask", "function", True, UNMASK, "No data protection locally, so nothing is masked."),
    *_functions("abs ceil floor greatest least log round sqrt", FUNCTIONS),
    *_functions("haversine toNumber toInt toLong toDouble", FUNCTIONS),
    *_functions("jsonParse jsonStringify jsonArraySize jsonArrayContains", FUNCTIONS),
    *_functions("bin datefloor dateceil fromMillis toMillis now", FUNCTIONS),
    *_functions("parseDate formatDate strftime", FUNCTIONS),
    *_functions("ispresent coalesce case if isNumeric messageSize", FUNCTIONS),
    *_functions("queryStartTime queryEndTime queryTimeRange", FUNCTIONS),
    *_functions("isValidIp isValidIpV4 isValidIpV6 isIpInSubnet isIpv4InSubnet", FUNCTIONS),
    *_functions("isIpv6InSubnet ipv4ToNumber isPrivateIP isPublicIP", FUNCTIONS),
    Entry(
        "isReservedIP",
        "function",
        False,
        FUNCTIONS,
        "The page does not say which ranges count as reserved; refused rather than guessed.",
    ),
    *_functions("isempty isblank concat ltrim rtrim trim strlen toupper tolower", FUNCTIONS),
    *_functions("substr replace regexReplace strcontains startsWith endsWith", FUNCTIONS),
    *_functions("urlencode urldecode base64encode base64decode split", FUNCTIONS),
    *_functions("hexToAscii hexToDec decToHex", FUNCTIONS),
    *_functions("md5 sha256", HASHING),
    *_functions("avg count count_distinct max min pct stddev sum", STATS, kind="aggregate"),
    *_functions("earliest latest sortsFirst sortsLast", STATS, kind="aggregate"),
    *_refused_functions(
        "rate count_over_time sum_over_time histogram",
        TIME_SERIES,
        "Time-series functions are not implemented locally.",
    ),
)
"""The documented commands and functions, in the order the conformance page lists them."""

REFUSED_COMMANDS: dict[str, str] = {
    entry.name.lower(): entry.name
    for entry in CATALOGUE
    if entry.kind == "command" and not entry.supported
}
"""Commands this engine refuses, by lower-cased name -> name as documented."""

REFUSED_FUNCTIONS: dict[str, str] = {
    entry.name.lower(): entry.name
    for entry in CATALOGUE
    if entry.kind == "function" and not entry.supported
}
"""Functions this engine refuses, by lower-cased name -> name as documented."""


def markdown_table() -> str:
    """The conformance table of docs/insights-conformance.md."""
    lines = [
        "| Name | Kind | Local engine | Source page | Notes |",
        "|---|---|---|---|---|",
    ]
    for entry in CATALOGUE:
        status = "evaluated" if entry.supported else "refused by name"
        page = entry.page.rsplit("/", 1)[-1]
        lines.append(
            f"| `{entry.name}` | {entry.kind} | {status} | [{page}]({entry.page}) | {entry.note} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
