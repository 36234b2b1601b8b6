"""Keep PII out of logs: as a formatter option, and as a filter for any handler.

Run: python examples/pii_redaction.py   (offline; prints redacted JSON and redacted text lines)
"""

from __future__ import annotations

import logging
import sys

from cw_logging.formatter import JsonFormatter
from cw_logging.pii import PiiFilter, PiiRedactor

RECORDS = [
    ("signup from %s", ("ann.lee@example.com",), {"plan": "pro"}),
    ("paid with card %s", ("4111 1111 1111 1111",), {"order_id": "ORD-2024-000123"}),
    ("db url postgres://app:s3cr3t@db.internal:5432/shop", (), {}),
    ("login", (), {"user": {"name": "ann", "password": "hunter2", "apiKey": "k-123"}}),
    ("not PII: 2026-01-02T03:04:05Z, v1.2.3, id 9f0c1e2a-7b3d-4e5f-8a9b-0c1d2e3f4a5b", (), {}),
]


def main() -> None:
    json_out = logging.StreamHandler(sys.stdout)
    json_out.setFormatter(JsonFormatter(redact=True))
    text_out = logging.StreamHandler(sys.stdout)
    text_out.setFormatter(logging.Formatter("text | %(message)s"))
    text_out.addFilter(PiiFilter(PiiRedactor(enable=["phone"])))

    log = logging.getLogger("shop.pii")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(json_out)
    for message, args, extra in RECORDS:
        log.info(message, *args, extra=extra)
    log.removeHandler(json_out)

    log.addHandler(text_out)
    log.info("call me at +1 (555) 123-4567 or mail bob@example.org")
    user = {"name": "ann", "password": "hunter2"}
    log.info("user %s", user)
    print("caller's object untouched:", user)


if __name__ == "__main__":
    main()
