"""Request checks the service applies before running an operation, read from botocore's model.

Lengths, ranges, patterns, enums and required members come from the ``logs`` service model, and
failures read like the service's: ``1 validation error detected: Value 'x' at 'logGroupName'
failed to satisfy constraint: ...`` (InvalidParameterException).
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any

from ..errors import InvalidParameterError, RequestError

INVALID_PARAMETER = "InvalidParameterException"


@functools.lru_cache(maxsize=1)
def service_model() -> Any:
    """Return botocore's ``logs`` service model (loaded once)."""
    import botocore.session

    return botocore.session.get_session().get_service_model("logs")


@functools.lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """Compile a model pattern (Java syntax); None for the few Python cannot express."""
    # Java's letters, separators and digits: Python's \w (with "_", also in these classes) and \s
    python = pattern.replace(r"\p{L}\p{Z}\p{N}", r"\w\s")
    try:
        return re.compile(python)
    except re.error:
        return None


def validate_request(operation: str, params: dict[str, Any]) -> None:
    """Raise InvalidParameterException if ``params`` break the model's constraints."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    _check_structure(shape, params, "", problems)
    if problems:
        count = len(problems)
        plural = "error" if count == 1 else "errors"
        raise InvalidParameterError(
            f"{count} validation {plural} detected: " + "; ".join(problems),
            code=INVALID_PARAMETER,
        )


def _check_structure(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        raise _serialization(path, "structure")
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(
                f"Value null at '{path}{name}' failed to satisfy constraint: "
                "Member must not be null"
            )
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _check(member, value[name], f"{path}{name}", problems)


def _check(shape: Any, value: Any, path: str, problems: list[str]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        _check_structure(shape, value, f"{path}.", problems)
        return
    if kind == "list":
        if not isinstance(value, list):
            raise _serialization(path, "list")
        _bounds(meta, len(value), "length", value, path, problems)
        if _flat_items_valid(shape.member, value):
            return
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{index}.member", problems)
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise _serialization(path, "map")
        _bounds(meta, len(value), "length", value, path, problems)
        return
    if kind == "string":
        if not isinstance(value, str):
            raise _serialization(path, "string")
        _bounds(meta, len(value), "length", value, path, problems)
        regex = _regex(meta["pattern"]) if "pattern" in meta else None
        if regex is not None and not regex.fullmatch(value):
            problems.append(
                _constraint(
                    value, path, f"must satisfy regular expression pattern: {meta['pattern']}"
                )
            )
        if "enum" in meta and value not in meta["enum"]:
            problems.append(
                _constraint(
                    value, path, f"must satisfy enum value set: [{', '.join(meta['enum'])}]"
                )
            )
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _serialization(path, kind)
        _bounds(meta, value, "value", value, path, problems)
        return
    if kind == "boolean" and not isinstance(value, bool):
        raise _serialization(path, kind)


_SCALAR_TYPES = {"string": str, "long": int, "integer": int, "boolean": bool}


def _flat_items_valid(shape: Any, items: list[Any]) -> bool:
    """Whether every item of a list of flat structures (such as PutLogEvents' events) passes,
    checked a member at a time over all items; False means "check item by item" (which then
    finds and words the problems)."""
    if shape.type_name != "structure" or set(map(type, items)) - {dict}:
        return False
    required = set(shape.required_members)
    for name, member in shape.members.items():
        wanted = _SCALAR_TYPES.get(member.type_name)
        meta = member.metadata
        if wanted is None or "pattern" in meta or "enum" in meta:
            return False
        if name in required:
            try:
                values = list(map(operator.itemgetter(name), items))
            except KeyError:
                return False
        else:
            values = [item[name] for item in items if item.get(name) is not None]
        types = set(map(type, values))
        if types - {wanted}:
            return False
        measured = list(map(len, values)) if wanted is str else values
        if wanted is bool or not measured:
            continue
        if ("min" in meta and min(measured) < meta["min"]) or (
            "max" in meta and max(measured) > meta["max"]
        ):
            return False
    return True


def _bounds(
    meta: dict[str, Any], measure: int, what: str, value: Any, path: str, problems: list[str]
) -> None:
    """Check ``measure`` (a length or a value) against the model's min and max."""
    if "min" in meta and measure < meta["min"]:
        problems.append(
            _constraint(value, path, f"must have {what} greater than or equal to {meta['min']}")
        )
    if "max" in meta and measure > meta["max"]:
        problems.append(
            _constraint(value, path, f"must have {what} less than or equal to {meta['max']}")
        )


# Members whose value the service leaves out of the message ("Value at 'logGroupIdentifier'
# failed to satisfy constraint"), as seen in replies from AWS itself.
_VALUE_NOT_SHOWN = frozenset({"logGroupIdentifier"})


def _constraint(value: Any, path: str, rule: str) -> str:
    if path in _VALUE_NOT_SHOWN:
        return f"Value at '{path}' failed to satisfy constraint: Member {rule}"
    shown = value if isinstance(value, (str, int)) else "[...]"
    return f"Value '{shown}' at '{path}' failed to satisfy constraint: Member {rule}"


def _serialization(path: str, kind: str) -> RequestError:
    return RequestError(f"'{path}' must be a {kind}", code="SerializationException")
