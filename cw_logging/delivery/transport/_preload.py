"""Importing what the sender thread will need, on the thread that builds the handler.

A process forked while another thread is half-way through an import gets the half-loaded module
and can never finish it: every later use fails. The sender thread must therefore import nothing:
boto3 and botocore (which otherwise load lazily, on the sender's first call) are loaded here,
before any thread of ours starts. This costs the first handler of a process the import of boto3,
once; importing cw_logging itself still loads no boto3.
"""

from __future__ import annotations

import importlib

__all__ = ["LATE_IMPORTS", "preload_boto3"]

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


def preload_boto3() -> None:
    """Import :data:`LATE_IMPORTS` now (those this botocore lacks are skipped)."""
    for name in LATE_IMPORTS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
