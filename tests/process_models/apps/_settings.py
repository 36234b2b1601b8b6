"""The logging configuration the test applications apply at import, read from the environment.

The test sets ``CW_TEST_ENDPOINT`` (the server on 127.0.0.1), ``CW_TEST_GROUP`` and, for the
spool variants, ``CW_TEST_SPOOL_DIR``. Everything else is the handler's defaults, as a user who
follows the README would have it, but ``flush_interval=1`` (a common choice: records show up
within a second), so that a master's first send falls while gunicorn forks workers.

With ``CW_TEST_LOGGING_BY=server`` the application leaves logging alone: the server configured
it from :func:`server_logging_config` (gunicorn's ``logconfig_dict``, uvicorn's
``--log-config``) before the application was imported.
"""

from __future__ import annotations

import logging.config
import os
from collections.abc import Mapping
from typing import Any

REQUEST_LOGGER = "app.requests"
"""The logger each request logs its id on."""


def logging_config(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The dictConfig of the README: JSON formatter, CloudWatchHandler on the root logger."""
    handler: dict[str, Any] = {
        "class": "cw_logging.CloudWatchHandler",
        "log_group": environ["CW_TEST_GROUP"],
        "endpoint_url": environ["CW_TEST_ENDPOINT"],
        "region_name": "us-east-1",
        "create_log_group": True,
        "flush_interval": 1.0,
        "formatter": "json",
    }
    spool_dir = environ.get("CW_TEST_SPOOL_DIR")
    if spool_dir:
        handler["spool_dir"] = spool_dir
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cw_logging.JsonFormatter"}},
        "handlers": {"cloudwatch": handler},
        "root": {"level": "INFO", "handlers": ["cloudwatch"]},
    }


def server_logging_config(
    server_logger: str, environ: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    """:func:`logging_config` for a server to apply: ``server_logger`` (``gunicorn.error``,
    ``uvicorn``) also writes to stderr, where the test reads the port and the server's state."""
    config = logging_config(environ)
    config["formatters"]["plain"] = {"format": "[%(process)d] [%(levelname)s] %(message)s"}
    config["handlers"]["console"] = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stderr",
    }
    config["loggers"] = {
        server_logger: {"level": "INFO", "handlers": ["console"], "propagate": True},
    }
    return config


def configure() -> logging.Logger:
    """Apply :func:`logging_config` (unless the server did) and log that the application
    loaded, as applications do."""
    if os.environ.get("CW_TEST_LOGGING_BY", "app") == "app":
        logging.config.dictConfig(logging_config())
    logging.getLogger("app").info("application loaded in process %d", os.getpid())
    return logging.getLogger(REQUEST_LOGGER)
