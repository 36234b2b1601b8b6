"""Recall and precision of the default redaction on the corpus (``corpus.py``), logged through
a real CloudWatchHandler with ``JsonFormatter(redact=True)`` into the local server over HTTP,
read back with boto3."""

from __future__ import annotations

import json
import logging
from typing import Any

from cw_logging.formatter import JsonFormatter
from cw_logging.handler import CloudWatchHandler
from cw_logging.local import LocalServer
from tests.integration.helpers import stream_events
from tests.pii.corpus import LOOK_ALIKES, SECRETS, log_corpus, score

GROUP = "/pii/corpus"


def test_the_corpus_is_big_enough_and_covers_every_category() -> None:
    assert len(SECRETS) >= 60 and len(LOOK_ALIKES) >= 60
    categories = {secret.category for secret in SECRETS}
    assert {"email", "card", "ssn", "iban", "aws", "token", "jwt", "http", "url"} <= categories
    assert {"key-value", "private key", "exception"} <= categories
    assert len({secret.message for secret in SECRETS}) == len(SECRETS)


def test_secrets_stay_out_and_look_alikes_arrive_unchanged(cw_local_server: LocalServer) -> None:
    import boto3

    client: Any = boto3.client("logs", region_name="us-east-1", endpoint_url=cw_local_server.url)
    client.create_log_group(logGroupName=GROUP)
    handler = CloudWatchHandler(
        GROUP, "corpus", endpoint_url=cw_local_server.url, region_name="us-east-1"
    )
    handler.setFormatter(JsonFormatter(redact=True))
    logger = logging.getLogger("test_corpus")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        log_corpus(logger)
        assert handler.flush(30)
    finally:
        logger.removeHandler(handler)
        handler.close()
    events = stream_events(client, GROUP, "corpus")
    stored = {json.loads(event["message"])["case"]: event["message"] for event in events}
    assert len(stored) == len(SECRETS) + len(LOOK_ALIKES)

    result = score(stored)

    leaks = [(secret.category, secret.message[:60]) for secret in result.leaked]
    assert result.recall >= 0.95, leaks
    assert len(result.changed) <= 2, [look_alike.message for look_alike in result.changed]
