"""AWS Lambda: configure once per container, bind the invocation's ids, flush before returning.

    python examples/aws_lambda.py

Lambda freezes the container as soon as the handler returns, so records still queued would
wait for the next invocation (or be lost when the container is recycled): `flush()` with a
short timeout in `finally` delivers them first. The request id comes from the context, the
trace id from the runtime's ``_X_AMZN_TRACE_ID`` (X-Ray ``1-xxxxxxxx-...`` ids become 32-hex
``traceId`` and are kept as ``xrayTraceId``). Runs offline: the local engine stands in for
CloudWatch (see offline.py) and a fake context plays the runtime.
"""

from __future__ import annotations

import os

# Outside Lambda, play the runtime: it sets this before your module is imported.
os.environ.setdefault("AWS_LAMBDA_FUNCTION_NAME", "orders-fn")

import logging
import logging.config
from dataclasses import dataclass
from typing import Any

from offline import local_cloudwatch

import cw_logging
from cw_logging.query import find_by_request_id

GROUP = "/aws/lambda-examples/orders-fn"  # names starting "aws/" are reserved for AWS itself
log = logging.getLogger("orders")


def configure_logging(endpoint_url: str | None = None) -> None:
    """Run once per container (at import time in a real function)."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "cw_logging.JsonFormatter", "service": "orders-fn"}},
            "handlers": {
                "cloudwatch": {
                    "class": "cw_logging.CloudWatchHandler",
                    "log_group": GROUP,
                    "log_stream": "{date}-{hostname}-{pid}",
                    "create_log_group": True,
                    "flush_interval": 1.0,
                    "close_timeout": 2.0,
                    "formatter": "json",
                    "endpoint_url": endpoint_url,  # None for AWS
                }
            },
            "root": {"level": "INFO", "handlers": ["cloudwatch"]},
        }
    )


def flush_logs(timeout: float = 2.0) -> None:
    for handler in logging.getLogger().handlers:
        handler.flush(timeout=timeout)  # type: ignore[call-arg]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point."""
    with cw_logging.correlation(request_id=context.aws_request_id):
        try:
            log.info("order event", extra={"order_id": event.get("order_id")})
            total = sum(item["price"] * item["qty"] for item in event["items"])
            log.info("order priced", extra={"total": total})
            return {"statusCode": 200, "total": total}
        except (KeyError, TypeError):
            log.exception("malformed order event")
            return {"statusCode": 400}
        finally:
            flush_logs()


@dataclass
class FakeContext:
    aws_request_id: str
    function_name: str = "orders-fn"


def main() -> None:
    with local_cloudwatch() as local:
        configure_logging(local.url)
        os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
        ok = handler({"order_id": 7, "items": [{"price": 2.5, "qty": 4}]}, FakeContext("inv-1"))
        os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e989-00000000000000000000beef;Sampled=1"
        bad = handler({"order_id": 8}, FakeContext("inv-2"))
        print(f"invocation 1 -> {ok}, invocation 2 -> {bad}")
        for request_id in ("inv-1", "inv-2"):
            for e in find_by_request_id(request_id, [GROUP], client=local.client):
                print(
                    f"  {request_id} {e.level:<5} {e.message:<20} traceId={e.trace_id} "
                    f"xray={e.fields.get('xrayTraceId')} {e.fields.get('errorType', '')}"
                )


if __name__ == "__main__":
    main()
