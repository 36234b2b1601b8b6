"""Scalar functions of Logs Insights QL (numeric, string, datetime, IP, general).

Each takes the already evaluated arguments; a missing argument (None) gives a missing result
unless the function is about presence (``ispresent``, ``isempty``, ``coalesce``...).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from typing import Any

from ._catalogue import REFUSED_FUNCTIONS
from ._dates import to_millis
from ._functions_more import MORE_FUNCTIONS
from ._periods import Period
from ._scalar import ScalarFunction, numeric, textual
from ._values import Timestamp, as_text, to_number


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def apply(*values: Any) -> Any:
        numbers = [number for number in map(to_number, values) if number is not None]
        return pick(numbers) if numbers else None

    return apply


def _positive_log(number: float) -> float | None:
    return math.log(number) if number > 0 else None


def _square_root(number: float) -> float | None:
    return math.sqrt(number) if number >= 0 else None


def _coalesce(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _concat(*values: Any) -> str | None:
    parts = [as_text(value) for value in values if value is not None]
    return "".join(part for part in parts if part is not None) if parts else None


def _is_empty(value: Any) -> bool:
    return value is None or as_text(value) == ""


def _is_blank(value: Any) -> bool:
    return value is None or (as_text(value) or "").strip() == ""


def _strcontains(value: Any, part: Any, ignore_case: Any = False) -> int | None:
    text, search = as_text(value), as_text(part)
    if text is None or search is None:
        return None
    if ignore_case is True or (isinstance(ignore_case, str) and ignore_case.lower() == "true"):
        return int(search.lower() in text.lower())
    return int(search in text)


def _substr(value: Any, start: Any, length: Any = 0, *, has_length: bool = False) -> str | None:
    text, begin = as_text(value), to_number(start)
    if text is None or begin is None:
        return None
    begin = max(0, int(begin))
    if not has_length:
        return text[begin:]
    count = to_number(length)
    return None if count is None else text[begin : begin + max(0, int(count))]


def _substr_dispatch(*args: Any) -> str | None:
    if len(args) == 3:
        return _substr(args[0], args[1], args[2], has_length=True)
    return _substr(args[0], args[1])


def _replace(text: str, search: str, replacement: str) -> str:
    return text.replace(search, replacement) if search else text


def _trim(strip: Callable[[str, str | None], str]) -> Callable[..., Any]:
    return textual(lambda text, chars=None: strip(text, chars))


def _from_millis(value: Any) -> Timestamp | None:
    number = to_number(value)
    return None if number is None else Timestamp(int(number))


def _date_rounder(method: Callable[[Period, int], int]) -> Callable[[Any, Period], Any]:
    def apply(value: Any, period: Period) -> Timestamp | None:
        millis = to_millis(value)
        return None if millis is None else Timestamp(method(period, millis))

    return apply


def _ip_check(kind: type[Any] | None) -> Callable[[Any], bool | None]:
    def apply(value: Any) -> bool | None:
        if value is None:
            return None
        try:
            address = ipaddress.ip_address(str(value))
        except ValueError:
            return False
        return kind is None or isinstance(address, kind)

    return apply


def _subnet_check(kind: type[Any] | None) -> Callable[[Any, Any], bool | None]:
    def apply(value: Any, subnet: Any) -> bool | None:
        if value is None or subnet is None:
            return None
        try:
            address = ipaddress.ip_address(str(value))
            network = ipaddress.ip_network(str(subnet), strict=False)
        except ValueError:
            return False
        if kind is not None and not isinstance(address, kind):
            return False
        return address.version == network.version and address in network

    return apply


SCALAR_FUNCTIONS: dict[str, ScalarFunction] = {
    "abs": ScalarFunction(1, 1, numeric(abs)),
    "ceil": ScalarFunction(1, 1, numeric(math.ceil)),
    "floor": ScalarFunction(1, 1, numeric(math.floor)),
    "greatest": ScalarFunction(1, None, _extreme(max)),
    "least": ScalarFunction(1, None, _extreme(min)),
    "log": ScalarFunction(1, 1, numeric(_positive_log)),
    "sqrt": ScalarFunction(1, 1, numeric(_square_root)),
    "ispresent": ScalarFunction(1, 1, lambda value: value is not None),
    "coalesce": ScalarFunction(1, None, _coalesce),
    "isempty": ScalarFunction(1, 1, _is_empty),
    "isblank": ScalarFunction(1, 1, _is_blank),
    "concat": ScalarFunction(1, None, _concat),
    "ltrim": ScalarFunction(1, 2, _trim(str.lstrip)),
    "rtrim": ScalarFunction(1, 2, _trim(str.rstrip)),
    "trim": ScalarFunction(1, 2, _trim(str.strip)),
    "strlen": ScalarFunction(1, 1, textual(len)),
    "toupper": ScalarFunction(1, 1, textual(str.upper)),
    "tolower": ScalarFunction(1, 1, textual(str.lower)),
    "substr": ScalarFunction(2, 3, _substr_dispatch),
    "replace": ScalarFunction(3, 3, textual(_replace)),
    "strcontains": ScalarFunction(2, 3, _strcontains),
    "frommillis": ScalarFunction(1, 1, _from_millis),
    "tomillis": ScalarFunction(1, 1, to_millis),
    "datefloor": ScalarFunction(2, 2, _date_rounder(Period.floor), frozenset({1})),
    "dateceil": ScalarFunction(2, 2, _date_rounder(Period.ceil), frozenset({1})),
    "isvalidip": ScalarFunction(1, 1, _ip_check(None)),
    "isvalidipv4": ScalarFunction(1, 1, _ip_check(ipaddress.IPv4Address)),
    "isvalidipv6": ScalarFunction(1, 1, _ip_check(ipaddress.IPv6Address)),
    "isipinsubnet": ScalarFunction(2, 2, _subnet_check(None)),
    "isipv4insubnet": ScalarFunction(2, 2, _subnet_check(ipaddress.IPv4Address)),
    "isipv6insubnet": ScalarFunction(2, 2, _subnet_check(ipaddress.IPv6Address)),
    **MORE_FUNCTIONS,
}
"""Scalar functions by lower-cased name (``bin`` is handled by the compiler: it reads the row)."""

UNSUPPORTED_FUNCTIONS: dict[str, str] = REFUSED_FUNCTIONS
"""Functions the service documents that this engine does not evaluate: lower-cased name ->
name as the pages write it."""
