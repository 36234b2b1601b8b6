"""Flask (or any WSGI app): every request's records carry its request id and trace id, taken
from the incoming headers (``X-Request-Id``, ``traceparent`` / ``X-Amzn-Trace-Id``) or generated.

    python examples/flask_app.py

`RequestIdMiddleware` is plain WSGI, so it fits Flask (`app.wsgi_app = ...`), Django's WSGI
application and gunicorn alike. Runs offline: the local engine stands in for CloudWatch (see
offline.py) and requests are sent in process. Without Flask installed, a bare WSGI app is used.
"""

from __future__ import annotations

import logging
import logging.config
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import setup_testing_defaults

from offline import flush_cloudwatch, local_cloudwatch

import cw_logging
from cw_logging.query import TimeRange, find_by_request_id, run_query

GROUP = "/examples/flask"
log = logging.getLogger("shop.web")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cw_logging.JsonFormatter", "service": "shop-web"}},
    "handlers": {
        "cloudwatch": {
            "class": "cw_logging.CloudWatchHandler",
            "log_group": GROUP,
            "create_log_group": True,
            "formatter": "json",
        }
    },
    "root": {"level": "INFO", "handlers": ["cloudwatch"]},
}


class RequestIdMiddleware:
    """Binds each request's ids while it is handled and returns ``X-Request-Id``."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        headers = {
            key[5:].replace("_", "-"): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        ids = cw_logging.ids_from_headers(headers)
        request_id = ids.setdefault("request_id", uuid.uuid4().hex)

        def start(status: str, response_headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            response_headers.append(("X-Request-Id", request_id))
            return start_response(status, response_headers, *exc_info)

        with cw_logging.correlation(**ids, generate=True):
            return self.app(environ, start)


def place_order(item: str) -> tuple[str, int]:
    log.info("order received", extra={"item": item})
    if item == "unicorn":
        log.error("out of stock", extra={"item": item})
        return "out of stock", 409
    return "created", 201


def build_app() -> Callable[..., Iterable[bytes]]:
    try:
        from flask import Flask
    except ImportError:  # the same thing as a bare WSGI app

        def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            body, status = place_order(environ["PATH_INFO"].rsplit("/", 1)[-1])
            start_response(f"{status} X", [("Content-Type", "text/plain")])
            return [body.encode()]

        return RequestIdMiddleware(bare_app)

    app = Flask(__name__)
    app.post("/orders/<item>")(place_order)
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


def post(
    app: Callable[..., Iterable[bytes]], path: str, headers: dict[str, str]
) -> tuple[str, str]:
    """Send one request in process; return the status line and the X-Request-Id answered."""
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": path}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
        answer.update(status=status, headers=dict(response_headers))

    b"".join(app(environ, start_response))
    return answer["status"].split()[0], answer["headers"]["X-Request-Id"]


def main() -> None:
    with local_cloudwatch() as local:
        LOGGING["handlers"]["cloudwatch"]["endpoint_url"] = local.url  # omit for AWS
        logging.config.dictConfig(LOGGING)
        app = build_app()
        status, ok_id = post(app, "/orders/book", {"X-Request-Id": "req-book-1"})
        print(f"POST /orders/book -> {status}, request id {ok_id}")
        traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        status, failed_id = post(app, "/orders/unicorn", {"traceparent": traceparent})
        print(f"POST /orders/unicorn -> {status}, request id generated")
        flush_cloudwatch()
        for event in find_by_request_id(failed_id, [GROUP], client=local.client):
            print(f"  {event.level:<5} {event.message:<16} trace {event.trace_id}")
        errors = run_query(
            'filter level = "ERROR" | stats count(*) as errors by service',
            [GROUP],
            TimeRange.last(minutes=5),
            client=local.client,
        )
        print("errors by service:", [(row["service"], row["errors"]) for row in errors.rows])


if __name__ == "__main__":
    main()
