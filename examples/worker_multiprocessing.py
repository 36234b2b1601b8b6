"""A multiprocessing worker pool: every process ships its own records, and a job's records in
the worker carry the trace id of the request that queued it.

    python examples/worker_multiprocessing.py

Uses the ``spawn`` start method (the default on macOS and Windows), so each worker configures
logging itself in the pool initializer; with ``fork`` CloudWatchHandler restarts its sender in
the child on its own. Pool workers end without running ``atexit``, so the initializer registers
a ``multiprocessing`` finalizer that flushes the handler when the worker exits. Runs offline
against the local engine (see offline.py).
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import os
from multiprocessing.util import Finalize
from typing import Any

from offline import flush_cloudwatch, local_cloudwatch

import cw_logging
from cw_logging.query import TimeRange, find_by_trace_id, run_query

GROUP = "/examples/worker"
log = logging.getLogger("shop.worker")


def logging_config(endpoint_url: str | None) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cw_logging.JsonFormatter"}},
        "handlers": {
            "cloudwatch": {
                "class": "cw_logging.CloudWatchHandler",
                "log_group": GROUP,
                "log_stream": "{hostname}-{pid}",  # one stream per process
                "create_log_group": True,
                "formatter": "json",
                "endpoint_url": endpoint_url,  # None for AWS
            }
        },
        "root": {"level": "INFO", "handlers": ["cloudwatch"]},
    }


def init_worker(endpoint_url: str | None) -> None:
    logging.config.dictConfig(logging_config(endpoint_url))
    Finalize(None, logging.shutdown, exitpriority=10)  # flush when the pool ends this worker


def resize_image(job: dict[str, Any]) -> int:
    with cw_logging.correlation(**job["ids"]):
        log.info("resizing", extra={"image": job["image"], "worker": os.getpid()})
        if job["image"].endswith(".gif"):
            log.warning("animated image, first frame only", extra={"image": job["image"]})
        return os.getpid()


def main() -> None:
    with local_cloudwatch() as local:
        logging.config.dictConfig(logging_config(local.url))
        images = ["a.png", "b.gif", "c.jpg", "d.png", "e.png", "f.gif"]
        with cw_logging.correlation(request_id="upload-7", generate=True):
            log.info("upload received", extra={"images": len(images)})
            ids = cw_logging.current()  # hand the ids to the jobs explicitly
            jobs = [{"image": name, "ids": ids} for name in images]
            context = multiprocessing.get_context("spawn")
            with context.Pool(2, initializer=init_worker, initargs=(local.url,)) as pool:
                pids = set(pool.map(resize_image, jobs, chunksize=1))
                pool.close()
                pool.join()  # the workers exit here and flush their handlers
        flush_cloudwatch()
        timeline = find_by_trace_id(ids["trace_id"], [GROUP], client=local.client)
        per_process = run_query(
            "stats count(*) as records by @logStream | sort @logStream",
            [GROUP],
            TimeRange.last(minutes=5),
            client=local.client,
        )
        print(f"{len(images)} jobs ran in {len(pids)} worker process(es)")
        print(
            f"trace {ids['trace_id']}: {len(timeline)} records from "
            f"{len({e.stream for e in timeline})} processes"
        )
        for row in per_process.rows:
            print(f"  {row['@logStream']}: {row['records']} records")


if __name__ == "__main__":
    main()
