"""FastAPI (or any ASGI app, served by uvicorn): a request-id middleware binds each request's
ids for every record logged while it is handled, across ``await``s and concurrent requests.

    python examples/fastapi_app.py            # offline: requests sent in process
    python examples/fastapi_app.py --serve    # with uvicorn installed: serves on 127.0.0.1:8000

`RequestIdMiddleware` is plain ASGI: `app.add_middleware(RequestIdMiddleware)` in FastAPI or
Starlette, or wrap any ASGI app. Ids come from ``X-Request-Id`` and ``traceparent`` /
``X-Amzn-Trace-Id``, or are generated. Without FastAPI installed, a bare ASGI app is used.
uvicorn applies its own dictConfig at start-up: pass ours as ``log_config=`` so it is the one
that stays (a second dictConfig is safe for CloudWatchHandler either way).
"""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config
import sys
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from offline import flush_cloudwatch, local_cloudwatch

import cw_logging
from cw_logging.query import find_by_trace_id

GROUP = "/examples/fastapi"
log = logging.getLogger("shop.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cw_logging.JsonFormatter", "service": "shop-api"}},
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
    """Binds each HTTP request's ids while it is handled and returns ``X-Request-Id``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        ids = cw_logging.ids_from_headers(headers)
        request_id = ids.setdefault("request_id", uuid.uuid4().hex)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        async with cw_logging.correlation(**ids, generate=True):
            await self.app(scope, receive, send_with_id)


async def check_stock(item: str) -> bool:
    log.info("checking stock", extra={"item": item})
    await asyncio.sleep(0.01)  # other requests run meanwhile; each keeps its own ids
    return item != "unicorn"


async def place_order(item: str) -> tuple[int, dict[str, Any]]:
    log.info("order received", extra={"item": item})
    if not await check_stock(item):
        log.error("out of stock", extra={"item": item})
        return 409, {"error": "out of stock"}
    return 201, {"ok": True}


def build_app() -> ASGIApp:
    try:
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse
    except ImportError:  # the same thing as a bare ASGI app

        async def bare_app(scope: Scope, receive: Any, send: Any) -> None:
            status, body = await place_order(scope["path"].rsplit("/", 1)[-1])
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": json.dumps(body).encode()})

        return RequestIdMiddleware(bare_app)

    app = FastAPI()

    @app.post("/orders/{item}")
    async def orders(item: str) -> Any:
        status, body = await place_order(item)
        return JSONResponse(body, status_code=status)

    app.add_middleware(RequestIdMiddleware)
    return app


async def post(app: ASGIApp, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """Send one request in process; return the status and the X-Request-Id answered."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    answer: dict[str, Any] = {}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}

    await app(scope, receive, send)
    return answer["status"], answer["headers"]["x-request-id"]


async def traffic(app: ASGIApp) -> list[tuple[int, str]]:
    """Three concurrent requests: their records interleave, their ids do not."""
    return list(
        await asyncio.gather(
            post(app, "/orders/book", {"X-Request-Id": "req-1"}),
            post(
                app,
                "/orders/unicorn",
                {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
            ),
            post(app, "/orders/pen", {}),
        )
    )


def main() -> None:
    with local_cloudwatch() as local:
        LOGGING["handlers"]["cloudwatch"]["endpoint_url"] = local.url  # omit for AWS
        logging.config.dictConfig(LOGGING)
        app = build_app()
        if "--serve" in sys.argv:
            import uvicorn

            uvicorn.run(app, host="127.0.0.1", port=8000, log_config=LOGGING)
            return
        for status, request_id in asyncio.run(traffic(app)):
            print(f"{status} request id {request_id}")
        flush_cloudwatch()
        timeline = find_by_trace_id(
            "4bf92f3577b34da6a3ce929d0e0e4736", [GROUP], client=local.client
        )
        for event in timeline:
            print(f"  {event.level:<5} {event.message:<15} request {event.request_id}")


if __name__ == "__main__":
    main()
