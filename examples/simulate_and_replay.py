"""Simulated multi-service traffic, looked up by trace, exported and replayed, all offline.

    python examples/simulate_and_replay.py

1. `simulate` logs 60 requests (gateway -> orders -> inventory, payments) through a
   CloudWatchHandler into the local engine, served over HTTP on 127.0.0.1 for real boto3;
2. one failed request is looked up with a CloudWatch filter pattern on its trace id (the local
   engine evaluates filter patterns for real);
3. the group is exported to a JSONL file with `replay(from_log_group(...), list)`;
4. the file is replayed into another group 50 times faster than it was recorded.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from cw_logging import CloudWatchHandler, JsonFormatter
from cw_logging.delivery.transport import build_client
from cw_logging.local import serve
from cw_logging.testing import from_log_group, replay, simulate, to_log_group


def main() -> None:
    with serve(port=0) as server:
        client = build_client(endpoint_url=server.url)  # loopback: no AWS set-up needed
        handler = CloudWatchHandler("/shop/sim", "all", client=client, create_log_group=True)
        handler.setFormatter(JsonFormatter())
        shop = logging.getLogger("shop")
        shop.propagate = False
        shop.setLevel(logging.INFO)
        shop.addHandler(handler)
        summary = simulate(shop, requests=60, rate=30, error_rate=0.1, seed=42)
        handler.flush(timeout=10)
        shop.removeHandler(handler)
        handler.close()
        print(
            f"simulated {summary.requests} requests, {summary.events} events, "
            f"{summary.failed_requests} failed"
        )

        trace_id = summary.failed_trace_ids[0]
        found = client.filter_log_events(
            logGroupName="/shop/sim", filterPattern=f'{{ $.traceId = "{trace_id}" }}'
        )["events"]
        print(f"trace {trace_id}:")
        for event in found:
            record = json.loads(event["message"])
            print(f"  {record['level']:<7} {record['service']:<9} {record['message']}")

        exported: list[dict[str, Any]] = []
        replay(from_log_group(client, "/shop/sim"), exported, time_scale=0, shift_to_now=False)
        recorded_s = (exported[-1]["timestamp"] - exported[0]["timestamp"]) / 1000
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "shop.jsonl"
            path.write_text("".join(json.dumps(event) + "\n" for event in exported), "utf-8")
            print(f"exported {len(exported)} events to a JSONL file")

            started = time.monotonic()
            result = replay(path, to_log_group("/shop/replayed", client=client), time_scale=0.02)
            took = time.monotonic() - started
        delivered = (result.target_stats or {}).get("sent")
        print(
            f"replayed {result.sent} events in {took:.2f} s (recorded over {recorded_s:.2f} s), "
            f"{result.failed} failed, {delivered} delivered"
        )


if __name__ == "__main__":
    main()
