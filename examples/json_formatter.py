"""JSON logs from an unchanged application: dictConfig, extras, dict messages, exceptions.

Run: python examples/json_formatter.py   (offline; prints one JSON document per record)
"""

from __future__ import annotations

import logging
import logging.config
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

logging.config.dictConfig(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "cw_logging.formatter.JsonFormatter",
                "service": "shop",
                "environment": "dev",
            }
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
    }
)


@dataclass
class Cart:
    items: int
    total: Decimal


def main() -> None:
    log = logging.getLogger("shop.orders")
    log.info(
        "order %s placed",
        42,
        extra={
            "order_id": 42,
            "cart": Cart(items=3, total=Decimal("59.97")),
            "placed_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            "payment_id": uuid.UUID("9f0c1e2a-7b3d-4e5f-8a9b-0c1d2e3f4a5b"),
            "tags": {"express", "gift"},
        },
    )
    log.info({"message": "stock level", "sku": "sku-1", "remaining": 7})
    try:
        {"sku-1": 7}["sku-2"]
    except KeyError:
        log.exception("lookup failed")


if __name__ == "__main__":
    main()
