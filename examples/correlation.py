"""Follow requests through asyncio tasks and worker threads with correlation ids.

Run: python examples/correlation.py   (offline; three concurrent requests, each line carries
the ids of the request that logged it, including lines logged from a worker thread)
"""

from __future__ import annotations

import asyncio
import logging
import sys

from cw_logging.context import ContextThreadPoolExecutor, bind, correlation, ids_from_headers
from cw_logging.formatter import JsonFormatter

handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter(fmt="%(threadName)s"))
logging.basicConfig(level=logging.INFO, handlers=[handler])
log = logging.getLogger("api")
pool = ContextThreadPoolExecutor(max_workers=2, thread_name_prefix="worker")


def charge_card(amount: int) -> str:
    log.info("charging %d", amount)  # runs on a worker thread, still carries the request's ids
    return "ok"


async def handle(headers: dict[str, str], amount: int) -> None:
    with correlation(**ids_from_headers(headers), generate=True):
        log.info("request received")
        await asyncio.sleep(0)  # let the other requests interleave
        status = await asyncio.wrap_future(pool.submit(charge_card, amount))
        bind(status=status)  # bound fields appear on every later record of this request
        log.info("request done", extra={"amount": amount})


async def main() -> None:
    await asyncio.gather(
        handle(
            {
                "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "X-Request-Id": "req-a",
            },
            10,
        ),
        handle(
            {
                "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                "X-Request-Id": "req-b",
            },
            20,
        ),
        handle({"X-Request-Id": "req-c"}, 30),  # no trace header: a trace id is generated
    )
    log.info("outside any request: no ids")
    pool.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
