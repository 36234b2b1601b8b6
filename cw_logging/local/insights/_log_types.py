"""Fields CloudWatch Logs Insights discovers in the log types its documentation lists.

Page: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html

- Lambda ``START`` / ``END`` / ``REPORT`` lines: ``@type``, ``@requestId``, ``@duration``,
  ``@billedDuration``, ``@memorySize``, ``@maxMemoryUsed`` (bytes, as the page's sample query
  divides them by 1000 twice to get MB), ``@initDuration``, ``@xrayTraceId``,
  ``@xraySegmentId``; other Lambda lines: the first embedded JSON fragment;
- VPC flow logs (default format): ``version``, ``accountId``, ``interfaceId``, ``srcAddr``,
  ``dstAddr``, ``srcPort``, ``dstPort``, ``protocol``, ``packets``, ``bytes``, ``startTime``,
  ``endTime``, ``action``, ``logStatus``;
- Route 53 query logs: ``version``, ``queryTimestamp``, ``hostZoneId``, ``queryName``,
  ``queryType``, ``responseCode``, ``protocol``, ``edgeLocation``, ``resolverIp``,
  ``ednsClientSubnet``.

The service knows a log group's type from its source; locally the type is recognised from the
line itself, which these formats make unambiguous.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LAMBDA_KINDS = ("START", "END", "REPORT")
_REQUEST = re.compile(r"(START|END|REPORT) RequestId: (\S+)")
_MEASURES = (
    ("Duration", "@duration", 1.0),
    ("Billed Duration", "@billedDuration", 1.0),
    ("Memory Size", "@memorySize", 1_000_000.0),
    ("Max Memory Used", "@maxMemoryUsed", 1_000_000.0),
    ("Init Duration", "@initDuration", 1.0),
)
_MEASURE = re.compile(r"(?:^|\t)([A-Za-z][A-Za-z ]*): ([0-9]+(?:\.[0-9]+)?) (?:ms|MB)")
_XRAY = re.compile(r"XRAY TraceId: (\S+)\s+SegmentId: (\S+)")
_VPC_FIELDS = (
    "version",
    "accountId",
    "interfaceId",
    "srcAddr",
    "dstAddr",
    "srcPort",
    "dstPort",
    "protocol",
    "packets",
    "bytes",
    "startTime",
    "endTime",
    "action",
    "logStatus",
)
_ROUTE53_FIELDS = (
    "version",
    "queryTimestamp",
    "hostZoneId",
    "queryName",
    "queryType",
    "responseCode",
    "protocol",
    "edgeLocation",
    "resolverIp",
    "ednsClientSubnet",
)
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
_DIGITS = re.compile(r"-?\d+")


def may_have_type_fields(message: str) -> bool:
    """A cheap test: whether ``message`` may be a line of a log type listed above."""
    head = message[:1]
    return head in ("S", "E", "R", "1", "2") or "\t{" in message


def log_type_fields(message: str) -> dict[str, Any]:
    """The fields of ``message`` as a Lambda platform line, a VPC flow log record or a Route 53
    query log record, else ``{}``."""
    if message.startswith(_LAMBDA_KINDS):
        return _lambda_platform(message)
    tokens = message.split()
    if len(tokens) == len(_VPC_FIELDS) and tokens[0] == "2" and tokens[-1] in _VPC_STATUSES:
        return _named(_VPC_FIELDS, tokens)
    if (
        len(tokens) == len(_ROUTE53_FIELDS)
        and tokens[0] == "1.0"
        and _ISO_TIME.fullmatch(tokens[1])
        and tokens[6] in ("UDP", "TCP")
    ):
        return _named(_ROUTE53_FIELDS, tokens)
    return {}


_VPC_STATUSES = frozenset({"OK", "NODATA", "SKIPDATA"})


def _named(names: tuple[str, ...], tokens: list[str]) -> dict[str, Any]:
    """Fields by position; ``-`` (no value) gives no field; whole numbers become numbers."""
    return {
        name: int(token) if _DIGITS.fullmatch(token) else token
        for name, token in zip(names, tokens, strict=True)
        if token != "-"
    }


def _lambda_platform(message: str) -> dict[str, Any]:
    request = _REQUEST.match(message)
    if request is None:
        return {}
    found: dict[str, Any] = {"@type": request.group(1), "@requestId": request.group(2)}
    factors = {label: (name, factor) for label, name, factor in _MEASURES}
    for label, amount in _MEASURE.findall(message):
        if label in factors:
            name, factor = factors[label]
            value = float(amount) * factor
            found[name] = int(value) if value.is_integer() and factor != 1.0 else float(amount)
    xray = _XRAY.search(message)
    if xray is not None:
        found["@xrayTraceId"], found["@xraySegmentId"] = xray.group(1), xray.group(2)
    return found


def embedded_json(message: str) -> dict[str, Any] | None:
    """The first JSON object embedded after a tab (Lambda's ``time\trequest\tLEVEL\t{...}``),
    or None."""
    start = message.find("\t{")
    if start < 0:
        return None
    try:
        document, _ = json.JSONDecoder().raw_decode(message, start + 1)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
