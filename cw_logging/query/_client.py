"""Client resolution and token paging shared by the read-path modules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..delivery.transport import build_client, call_client
from ..errors import ConfigurationError

MIN_BOTOCORE = "1.35.67"
"""The first botocore whose ``logs`` model has the field-index operations (PutIndexPolicy,
DescribeIndexPolicies, DeleteIndexPolicy, DescribeFieldIndexes) and ListLogGroupsForQuery."""


def resolve_client(client: Any, client_options: dict[str, Any]) -> Any:
    """Return ``client`` or, when it is None, a boto3 logs client built from ``client_options``.

    ``client_options`` are :func:`cw_logging.transport.build_client`'s keyword arguments
    (``boto3_session``, ``region_name``, ``endpoint_url``, ``profile_name``, ``botocore_config``).
    """
    if client is not None:
        if client_options:
            raise TypeError(
                f"pass either client= or client options, not both: {sorted(client_options)}"
            )
        return client
    return build_client(**client_options)


def pages(
    client: Any,
    operation: str,
    params: dict[str, Any],
    *,
    items_key: str,
    token_key: str = "nextToken",
) -> Iterator[list[Any]]:
    """Yield the item list of every page, following ``token_key`` into ``nextToken`` lazily.

    Only the current page is held. Stops when the token is absent or comes back unchanged
    (how GetLogEvents says a stream has no more events).
    """
    token: str | None = None
    while True:
        page_params = dict(params, nextToken=token) if token else params
        response = call_client(client, operation, **page_params)
        yield response.get(items_key) or []
        next_token = response.get(token_key)
        if not next_token or next_token == token:
            return
        token = next_token
        del response  # hold one page at a time


def paginate(
    client: Any, operation: str, params: dict[str, Any], *, items_key: str
) -> Iterator[Any]:
    """Yield the items of every page of a ``nextToken``-paged operation, lazily."""
    for page in pages(client, operation, params, items_key=items_key):
        yield from page


def require_operation(client: Any, operation: str) -> None:
    """Raise :class:`ConfigurationError` when ``client``'s botocore model lacks ``operation``
    (an API name such as ``DescribeFieldIndexes``): botocore is older than the API."""
    model = getattr(getattr(client, "meta", None), "service_model", None)
    if model is None or operation in model.operation_names:
        return
    import botocore

    raise ConfigurationError(
        f"botocore {botocore.__version__} does not know the {operation} operation: upgrade to "
        f"botocore >= {MIN_BOTOCORE} (pip install -U 'boto3>=1.35.67' 'botocore>=1.35.67')",
        code="BotocoreTooOld",
    )
