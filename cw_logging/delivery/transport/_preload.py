"""What the write path loads once per process, on the thread that builds the handler.

A process forked while another thread is half-way through an import gets the half-loaded module
and can never finish it: every later use fails. The sender thread must therefore import nothing:
boto3 and botocore (which otherwise load lazily, on the sender's first call) are loaded here,
before any thread of ours starts, and so are botocore's service data (the CloudWatch Logs model,
endpoints), parsed once into one loader that every session built here shares: a forked child,
which needs a client of its own, then builds it in milliseconds instead of parsing them again.
Importing cw_logging itself still loads no boto3.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LATE_IMPORTS", "new_session", "preload_boto3"]

LATE_IMPORTS = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "botocore.credentials",
    "botocore.tokens",
    "botocore.httpsession",
    "botocore.awsrequest",
    "botocore.httpchecksum",
    "botocore.compress",
    "botocore.serialize",
    "botocore.validate",
    "botocore.retries.standard",
    "encodings.idna",
    "stringprep",
    "unicodedata",
    "gzip",
)
"""Modules boto3 and botocore load lazily on the way to a first PutLogEvents call."""

_loader: Any = None


def preload_boto3() -> None:
    """Import :data:`LATE_IMPORTS` (those this botocore lacks are skipped) and parse the
    CloudWatch Logs service data into the shared loader, once per process."""
    if _loader is not None:
        return
    for name in LATE_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    # A client made with placeholder credentials and a loopback endpoint: nothing is sent,
    # nothing of the user's configuration is read; it only makes botocore parse its data.
    new_session(None).client(
        "logs",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="preload",
        aws_secret_access_key="preload",
    )


def new_session(profile_name: str | None) -> Any:
    """A boto3 session (of ``profile_name``) whose service data comes from the shared loader."""
    global _loader
    import boto3
    import botocore.session
    from botocore.loaders import create_loader

    if _loader is None:
        _loader = create_loader()
    core = botocore.session.Session(profile=profile_name)
    core.register_component("data_loader", _loader)
    session = boto3.session.Session(botocore_session=core)
    paths = _loader.search_paths  # boto3 appends its data path for every session: once is enough
    paths[:] = list(dict.fromkeys(paths))
    return session
