"""A plain script: dictConfig once, log as usual, then find one run's records again.

    python examples/plain_script.py

Runs offline against cw_logging's local engine (see offline.py). Nothing in `work()` knows
about CloudWatch: records, `extra=` fields and tracebacks become JSON events, and every record
logged inside `correlation(request_id=...)` carries that id (and a trace id).
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from offline import flush_cloudwatch, local_cloudwatch

import cw_logging
from cw_logging.query import find_by_request_id

log = logging.getLogger("nightly.import")


def logging_config(endpoint_url: str | None = None) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cw_logging.JsonFormatter"}},
        "handlers": {
            "cloudwatch": {
                "class": "cw_logging.CloudWatchHandler",
                "log_group": "/examples/plain-script",
                "log_stream": "{program}-{date}",
                "create_log_group": True,
                "formatter": "json",
                "endpoint_url": endpoint_url,  # None (the default) for AWS
            },
        },
        "root": {"level": "INFO", "handlers": ["cloudwatch"]},
    }


def work(batch: list[str]) -> None:
    log.info("import started", extra={"rows": len(batch)})
    for row in batch:
        try:
            amount = float(row)
        except ValueError:
            log.exception("bad row skipped", extra={"row": row})
            continue
        log.info("row imported", extra={"amount": amount})
    log.info("import finished")


def main() -> None:
    with local_cloudwatch() as local:
        logging.config.dictConfig(logging_config(local.url))
        with cw_logging.correlation(request_id="import-2026-01-31", generate=True):
            work(["12.5", "oops", "7"])
        stats = flush_cloudwatch()
        events = find_by_request_id(
            "import-2026-01-31", ["/examples/plain-script"], client=local.client
        )
        for event in events:
            error = f" [{event.fields['errorType']}]" if "errorType" in event.fields else ""
            print(f"{event.level:<5} {event.message}{error}")
        print(
            f"{stats['sent']} events sent in {stats['batches']} call(s); "
            f"{len(events)} found by request id, trace {events[0].trace_id}"
        )


if __name__ == "__main__":
    main()
