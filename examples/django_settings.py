"""Django: the LOGGING setting is a dictConfig dict, so CloudWatchHandler goes straight in.

    python examples/django_settings.py

Copy `LOGGING` (and the middleware) into your project's settings.py. Django applies LOGGING with
`logging.config.dictConfig` at start-up; runserver's autoreloader and some management commands
apply it again, which CloudWatchHandler takes without losing records or deadlocking.

Runs offline against the local engine (see offline.py). With Django installed it configures a
one-view project and sends a request through Django's test client; without Django it applies
`LOGGING` exactly as Django would and calls the middleware and view by hand.
"""

from __future__ import annotations

import logging
import logging.config
import os
import uuid
from collections.abc import Callable
from typing import Any

from offline import flush_cloudwatch, local_cloudwatch

import cw_logging
from cw_logging.query import find_by_request_id

# ---- settings.py ------------------------------------------------------------------------------

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cw_logging.JsonFormatter", "service": "shop-django"}},
    "handlers": {
        "cloudwatch": {
            "class": "cw_logging.CloudWatchHandler",
            "log_group": os.environ.get("LOG_GROUP", "/examples/django"),
            "log_stream": "{hostname}-{pid}",
            "create_log_group": True,
            "formatter": "json",
            # None means AWS; the example points it at the local engine
            "endpoint_url": os.environ.get("CLOUDWATCH_ENDPOINT_URL"),
        },
    },
    "root": {"level": "INFO", "handlers": ["cloudwatch"]},
    "loggers": {"django.request": {"level": "WARNING", "propagate": True}},
}

MIDDLEWARE = [__name__ + ".request_id_middleware"]


# ---- middleware.py ----------------------------------------------------------------------------


def request_id_middleware(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Bind each request's ids (from X-Request-Id / traceparent, or new) while it is handled."""

    def middleware(request: Any) -> Any:
        ids = cw_logging.ids_from_headers(dict(request.headers))
        request_id = ids.setdefault("request_id", uuid.uuid4().hex)
        with cw_logging.correlation(**ids, generate=True):
            response = get_response(request)
        response["X-Request-Id"] = request_id
        return response

    return middleware


# ---- views.py ---------------------------------------------------------------------------------

log = logging.getLogger("shop.views")


def order_view(request: Any, item: str) -> Any:
    from django.http import JsonResponse

    log.info("order received", extra={"item": item, "user": "u-42"})
    return JsonResponse({"ok": True}, status=201)


urlpatterns: list[Any] = []


# ---- running it -------------------------------------------------------------------------------


def with_django() -> str:
    import django
    from django.conf import settings
    from django.test import Client
    from django.urls import path

    settings.configure(
        DEBUG=False,
        SECRET_KEY="example",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        MIDDLEWARE=MIDDLEWARE,
        LOGGING=LOGGING,  # django.setup() runs dictConfig(LOGGING)
    )
    django.setup()
    urlpatterns.append(path("orders/<str:item>", order_view))
    response = Client().post("/orders/book", HTTP_X_REQUEST_ID="req-django-1")
    return str(response["X-Request-Id"])


class FakeResponse(dict[str, str]):
    pass


class FakeRequest:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


def without_django() -> str:
    logging.config.dictConfig(LOGGING)  # what django.setup() does with settings.LOGGING

    def view(request: Any) -> FakeResponse:
        log.info("order received", extra={"item": "book", "user": "u-42"})
        return FakeResponse()

    response = request_id_middleware(view)(FakeRequest({"X-Request-Id": "req-django-1"}))
    return response["X-Request-Id"]


def main() -> None:
    with local_cloudwatch() as local:
        # in a project: CLOUDWATCH_ENDPOINT_URL set before start-up; here the server is newer
        LOGGING["handlers"]["cloudwatch"]["endpoint_url"] = local.url
        try:
            import django  # noqa: F401

            request_id, how = with_django(), "Django test client"
        except ImportError:
            request_id, how = without_django(), "dictConfig(LOGGING) without Django"
        flush_cloudwatch()
        events = find_by_request_id(request_id, ["/examples/django"], client=local.client)
        print(f"{how}: request {request_id}")
        for event in events:
            print(f"  {event.level} {event.message} item={event.fields.get('item')}")


if __name__ == "__main__":
    main()
