"""The import paths of modules that moved when the write path was regrouped into subpackages.

``import cw_logging.aws_lambda`` and the like keep working: each old path gives a module that
forwards every attribute to the new place, and a :class:`DeprecationWarning` naming it.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from importlib.machinery import ModuleSpec
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # importlib.abc costs ~25 ms to import: duck-typed here
    from importlib.abc import Loader

__all__ = ["MOVED", "install"]

MOVED: dict[str, tuple[str, str]] = {
    "cw_logging.aws_lambda": ("cw_logging.handler", "import lambda_handler from cw_logging"),
    "cw_logging.demo": ("cw_logging.cli._demo", "run `cw-logging demo`"),
    "cw_logging.limits": ("cw_logging._limits", "it is internal now (cw_logging._limits)"),
    "cw_logging.metrics": ("cw_logging.delivery._emf", "import METRICS from cw_logging.delivery"),
    "cw_logging.sender": ("cw_logging.delivery", "import RetryPolicy from cw_logging"),
    "cw_logging.transport": (
        "cw_logging.delivery.transport",
        "import Transport and PutResult from cw_logging.delivery",
    ),
}
"""Old module path -> (the module that now holds its names, what to do instead)."""


class _MovedModuleFinder:
    """Finds the old paths of :data:`MOVED` (and nothing else) for the import system."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> Any:
        """A spec for an old module path, or None for every other name."""
        moved = MOVED.get(fullname)
        return None if moved is None else ModuleSpec(fullname, cast("Loader", _Forwarder(*moved)))


class _Forwarder:
    """Loads an old module path as a module that forwards to the new one."""

    def __init__(self, new: str, advice: str) -> None:
        self.new = new
        self.advice = advice

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        """A fresh module object for the old path."""
        return types.ModuleType(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        """Point the module at the new one, and say where it went."""
        target = importlib.import_module(self.new)
        warnings.warn(
            f"{module.__name__} moved into {self.new}: {self.advice}",
            DeprecationWarning,
            stacklevel=2,
        )
        module.__getattr__ = lambda name: getattr(target, name)  # type: ignore[method-assign]
        module.__dir__ = lambda: dir(target)  # type: ignore[method-assign]
        module.__doc__ = f"Moved to {self.new}."


def install() -> None:
    """Let the import system find the old paths (once per process)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
