"""The core pieces under mutation testing: their modules and the tests that exercise them."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository root."""


@dataclass(frozen=True)
class Target:
    """One module to mutate; ``scopes`` limits it to some top-level functions or classes."""

    path: str
    scopes: frozenset[str] | None = None


@dataclass(frozen=True)
class Piece:
    """A piece of the core: the modules mutated and the test files (globs) run against them."""

    name: str
    description: str
    targets: tuple[Target, ...]
    tests: tuple[str, ...]

    def test_files(self, root: Path) -> list[str]:
        """The test files of this piece that exist under ``root``, relative to it."""
        found: list[str] = []
        for pattern in self.tests:
            for path in sorted(glob.glob(pattern, root_dir=root)):
                if path not in found:
                    found.append(path)
        return found


def _modules(*paths: str) -> tuple[Target, ...]:
    return tuple(Target(p) for p in paths)


PIECES: dict[str, Piece] = {
    piece.name: piece
    for piece in (
        Piece(
            "limits",
            "the batch builder and the service limits",
            _modules("cw_logging/_limits.py", "cw_logging/delivery/_batching.py"),
            (
                "tests/test_limits*.py",
                "tests/delivery/test_batching*.py",
                "tests/local/test_store_rules.py",
            ),
        ),
        Piece(
            "querytext",
            "id and field-name validation and the query text checks",
            (
                Target("cw_logging/query/_querytext.py"),
                Target("cw_logging/query/_ids.py"),
            ),
            (
                "tests/query/test_querytext*.py",
                "tests/query/test_id_*.py",
                "tests/query/test_ids*.py",
                "tests/query/test_correlate*.py",
            ),
        ),
        Piece(
            "filterpattern",
            "the filter-pattern parser and evaluator",
            _modules(*sorted(glob.glob("cw_logging/local/filterpattern/*.py", root_dir=ROOT))),
            ("tests/local/test_filter_pattern*.py", "tests/local/test_metric_filters.py"),
        ),
        Piece(
            "pii",
            "PII and credential detection and redaction",
            _modules(*sorted(glob.glob("cw_logging/pii/*.py", root_dir=ROOT))),
            ("tests/pii/test_*.py",),
        ),
        Piece(
            "errors",
            "error classification, backoff, the circuit breaker and the reporter",
            _modules("cw_logging/errors.py", "cw_logging/_resilience.py"),
            (
                "tests/test_resilience*.py",
                "tests/test_errors*.py",
                "tests/test_secrets.py",
                "tests/query/test_error_mapping*.py",
                "tests/delivery/test_retry*.py",
            ),
        ),
    )
}
"""Every piece by name, in the order they are run."""
