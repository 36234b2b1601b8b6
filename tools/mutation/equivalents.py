"""Mutants that do not change behaviour, by key, with the reason (they are not run or counted).

A key is ``path::scope::before => after`` as ``python -m tools.mutation --list`` prints it.
"""

from __future__ import annotations

EQUIVALENT: dict[str, str] = {}
"""Key of each equivalent mutant -> why no test can tell it from the original."""
