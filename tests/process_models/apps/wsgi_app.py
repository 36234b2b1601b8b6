"""A WSGI application (for gunicorn) that logs the ``id`` of every request it serves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from tests.process_models.apps._settings import configure

log = configure()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Log ``served <id>`` and answer it back."""
    request_id = parse_qs(environ.get("QUERY_STRING", "")).get("id", [""])[0]
    log.info("served %s", request_id)
    body = request_id.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
