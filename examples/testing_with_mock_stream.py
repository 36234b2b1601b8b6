"""Testing code that logs to CloudWatch, offline, with cw_logging.testing.MockLogStream.

    python examples/testing_with_mock_stream.py

The code under test (`checkout`) logs through an ordinary logger; the mock collects what a real
CloudWatchHandler sends (real batching, the service's PutLogEvents rules, in process) and the
checks use a CloudWatch filter pattern, a Logs Insights query and a subscription, exactly as
they would be written in a pytest test with the `cw_mock_stream` fixture.
"""

from __future__ import annotations

import logging

import cw_logging
from cw_logging.testing import MockLogStream

log = logging.getLogger("shop.checkout")


def checkout(order_id: int, amount: float) -> bool:
    """The code under test: refuses large amounts, logging what it does."""
    with cw_logging.correlation(request_id=f"req-{order_id}"):
        log.info("checkout started", extra={"orderId": order_id, "amount": amount})
        if amount > 1000:
            log.error("payment refused", extra={"orderId": order_id, "reason": "limit"})
            return False
        log.info("payment accepted", extra={"orderId": order_id})
        return True


def main() -> None:
    log.setLevel(logging.INFO)
    with MockLogStream("/shop/test") as mock:
        mock.attach(log)  # a CloudWatchHandler with the JSON formatter, on this logger
        with mock.subscribe(maxsize=10) as new_events:
            for order_id, amount in ((1, 20.0), (2, 4999.0), (3, 75.5)):
                checkout(order_id, amount)

            refused = mock.filter('{ $.level = "ERROR" && $.reason = "limit" }')
            print("refused orders:", [event.field("orderId") for event in refused])
            print("request of the refusal:", refused[0].field("requestId"))

            rows = mock.query("stats count(*) as n by level | sort level")
            print("by level:", {row["level"]: row["n"] for row in rows})

            first = new_events.get(timeout=5)
            print("first event seen by the subscriber:", first.field("message"))
            print("subscriber dropped:", new_events.dropped)
        print("events collected:", len(mock.events))


if __name__ == "__main__":
    main()
