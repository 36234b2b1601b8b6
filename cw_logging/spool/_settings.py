"""The spool's options, checked once for the handler and for :class:`Spool` alike."""

from __future__ import annotations

import os
from pathlib import Path

from .._options import INVALID_SETTING, require_int, require_seconds
from ..errors import ConfigurationError
from ._files import HAVE_FLOCK, directory_problem

__all__ = ["DEFAULT_SPOOL_MAX_BYTES", "check_spool_directory", "check_spool_limits"]

DEFAULT_SPOOL_MAX_BYTES = 1 << 30
"""Default bound of the events a spool stores (``spool_max_bytes``): 1 GiB."""


def check_spool_directory(directory: object) -> str:
    """Return ``directory`` as text if it can hold a spool on this platform, else raise.

    An existing directory must be a real directory (not a link) of this user that nobody else
    can write; a missing one is created mode 0700 when the spool opens.
    """
    if not isinstance(directory, (str, os.PathLike)) or not os.fspath(directory):
        raise ConfigurationError(
            f"spool_dir={directory!r} is invalid: use a directory path (created if missing)",
            code=INVALID_SETTING,
        )
    problem = directory_problem(Path(os.fspath(directory)))
    if problem is not None:
        raise ConfigurationError(problem, code="UnsafeSpoolDirectory")
    if not HAVE_FLOCK:
        raise ConfigurationError(
            "a spool needs POSIX file locking (fcntl.flock), which this platform lacks; "
            "leave spool_dir unset here",
            code="SpoolUnsupported",
        )
    return str(os.fspath(directory))


def check_spool_limits(max_bytes: object, lock_timeout: object = 0.0) -> tuple[int, float]:
    """Return ``(max_bytes, lock_timeout)`` checked: bytes >= 1, a lock wait in seconds >= 0."""
    return (
        require_int("spool_max_bytes", max_bytes, 1),
        require_seconds("spool lock_timeout", lock_timeout, allow_zero=True),
    )
