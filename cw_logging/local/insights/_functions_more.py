"""The functions the 2026 functions page added: rounding and conversions, JSON structures,
parsing and formatting dates, conditionals, encodings, hashing and IP ranges.

Page: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
and CWL_QuerySyntax-hash-functions.html.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import functools
import hashlib
import ipaddress
import json
import math
import re
import urllib.parse
import zoneinfo
from typing import Any

from ._dates import format_date, parse_date
from ._patterns import compile_regex
from ._scalar import ScalarFunction, numeric, textual
from ._values import as_text, to_number, truthy

_EARTH_RADIUS_KM = 6371.0
_PRIVATE_V4 = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
_HEX = re.compile(r"[+-]?(?:0[xX])?[0-9a-fA-F]+")


def _round(value: Any, places: Any = 0) -> Any:
    number, digits = to_number(value), to_number(places)
    if number is None or digits is None:
        return None
    exponent = decimal.Decimal(1).scaleb(-int(digits))
    rounded = decimal.Decimal(str(number)).quantize(exponent, rounding=decimal.ROUND_HALF_UP)
    return int(rounded) if int(digits) <= 0 else float(rounded)


def _haversine(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> float | None:
    numbers = [to_number(v) for v in (lat1, lon1, lat2, lon2)]
    if any(n is None for n in numbers):
        return None
    a1, o1, a2, o2 = (math.radians(float(n)) for n in numbers)  # type: ignore[arg-type]
    h = math.sin((a2 - a1) / 2) ** 2 + math.cos(a1) * math.cos(a2) * math.sin((o2 - o1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _integer(bits: int) -> Any:
    def convert(number: float) -> int | None:
        whole = int(number)
        return whole if -(2 ** (bits - 1)) <= whole < 2 ** (bits - 1) else None

    return numeric(convert)


def _json_parse(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value
    text = as_text(value)
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


def _json_stringify(value: Any) -> str | None:
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return None


def _json_array(value: Any) -> list[Any] | None:
    parsed = _json_parse(value)
    return parsed if isinstance(parsed, list) else None


def _json_array_size(value: Any) -> int | None:
    array = _json_array(value)
    return None if array is None else len(array)


def _json_array_contains(value: Any, wanted: Any) -> bool:
    array = _json_array(value)
    text = as_text(wanted)
    if not array or text is None:
        return False
    return any(as_text(item) == text for item in array)


def _if(condition: Any, when_true: Any, when_false: Any) -> Any:
    return when_true if truthy(condition) is True else when_false


def _case(*args: Any) -> Any:
    pairs, default = (args[:-1], args[-1]) if len(args) % 2 else (args, None)
    for index in range(0, len(pairs), 2):
        if truthy(pairs[index]) is True:
            return pairs[index + 1]
    return default


def _message_size(value: Any) -> int | None:
    text = as_text(value)
    return None if text is None else len(text.encode("utf-8"))


def _ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = as_text(value)
    if text is None:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _ipv4_to_number(value: Any) -> int | None:
    address = _ip(value)
    return int(address) if isinstance(address, ipaddress.IPv4Address) else None


def _is_private(value: Any) -> bool | None:
    if value is None:
        return None
    address = _ip(value)
    return isinstance(address, ipaddress.IPv4Address) and any(address in n for n in _PRIVATE_V4)


def _is_public(value: Any) -> bool | None:
    if value is None:
        return None
    address = _ip(value)
    return address is not None and address.is_global


def _hex_to_ascii(text: str) -> str | None:
    try:
        return bytes.fromhex(text.removeprefix("0x")).decode("ascii")
    except ValueError:
        return None


def _hex_to_dec(text: str) -> int | None:
    text = text.strip()
    return int(text, 16) if _HEX.fullmatch(text) else None


def _dec_to_hex(number: float) -> str:
    whole = int(number)
    return ("-" if whole < 0 else "") + hex(abs(whole))


def _base64_decode(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None


@functools.lru_cache(maxsize=64)
def _cached_regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return compile_regex(pattern)
    except re.error:
        return None


def _regex_replace(text: str, pattern: str, replacement: str) -> str | None:
    regex = _cached_regex(pattern)
    return None if regex is None else regex.sub(lambda _: replacement, text)


def _split(text: str, delimiter: str) -> list[str] | None:
    return text.split(delimiter) if delimiter else None


def _digest(algorithm: str) -> Any:
    return textual(lambda text: hashlib.new(algorithm, text.encode("utf-8")).hexdigest())


def _zone(name: Any) -> dt.tzinfo | None:
    if name is None:
        return dt.timezone.utc
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _parse_date(value: Any, pattern: Any, zone: Any = None) -> int | None:
    text, form, tz = as_text(value), as_text(pattern), _zone(zone)
    if text is None or form is None or tz is None:
        return None
    return parse_date(text, form, tz)


def _format_date(value: Any, pattern: Any, zone: Any = None) -> str | None:
    form, tz = as_text(pattern), _zone(zone)
    if form is None or tz is None:
        return None
    return format_date(value, form, tz)


MORE_FUNCTIONS: dict[str, ScalarFunction] = {
    "round": ScalarFunction(1, 2, _round),
    "haversine": ScalarFunction(4, 4, _haversine),
    "tonumber": ScalarFunction(1, 1, lambda value: to_number(as_text(value) or value)),
    "toint": ScalarFunction(1, 1, _integer(32)),
    "tolong": ScalarFunction(1, 1, _integer(64)),
    "todouble": ScalarFunction(1, 1, numeric(float)),
    "jsonparse": ScalarFunction(1, 1, _json_parse),
    "jsonstringify": ScalarFunction(1, 1, _json_stringify),
    "jsonarraysize": ScalarFunction(1, 1, _json_array_size),
    "jsonarraycontains": ScalarFunction(2, 2, _json_array_contains),
    "parsedate": ScalarFunction(2, 3, _parse_date),
    "formatdate": ScalarFunction(2, 3, _format_date),
    "strftime": ScalarFunction(2, 3, _format_date),
    "if": ScalarFunction(3, 3, _if),
    "case": ScalarFunction(2, 21, _case),
    "isnumeric": ScalarFunction(1, 1, lambda value: to_number(value) is not None),
    "messagesize": ScalarFunction(1, 1, _message_size),
    "ipv4tonumber": ScalarFunction(1, 1, _ipv4_to_number),
    "isprivateip": ScalarFunction(1, 1, _is_private),
    "ispublicip": ScalarFunction(1, 1, _is_public),
    "startswith": ScalarFunction(2, 2, textual(lambda text, part: int(text.startswith(part)))),
    "endswith": ScalarFunction(2, 2, textual(lambda text, part: int(text.endswith(part)))),
    "urlencode": ScalarFunction(1, 1, textual(urllib.parse.quote_plus)),
    "urldecode": ScalarFunction(1, 1, textual(urllib.parse.unquote_plus)),
    "base64encode": ScalarFunction(
        1, 1, textual(lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii"))
    ),
    "base64decode": ScalarFunction(1, 1, textual(_base64_decode)),
    "split": ScalarFunction(2, 2, textual(_split)),
    "hextoascii": ScalarFunction(1, 1, textual(_hex_to_ascii)),
    "hextodec": ScalarFunction(1, 1, textual(_hex_to_dec)),
    "dectohex": ScalarFunction(1, 1, numeric(_dec_to_hex)),
    "regexreplace": ScalarFunction(3, 3, textual(_regex_replace)),
    "md5": ScalarFunction(1, 1, _digest("md5")),
    "sha256": ScalarFunction(1, 1, _digest("sha256")),
    "unmask": ScalarFunction(1, 1, lambda value: value),
}
"""Scalar functions by lower-cased name, merged into the engine's function table."""
