"""A gunicorn configuration module that sets up logging with ``logconfig_dict`` (in the master,
before any worker is forked), the other way gunicorn users configure their handlers."""

from __future__ import annotations

from tests.process_models.apps._settings import server_logging_config

logconfig_dict = server_logging_config("gunicorn.error")
