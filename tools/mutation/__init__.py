"""Mutation testing of cw_logging's core: ``python -m tools.mutation --help``.

A mutant is a copy of a module with one small change (a flipped comparison, ``and`` for ``or``,
a constant off by one, a dropped ``not``, ``return None``, a deleted statement). The tests that
exercise the module should fail on it ("killed"); a mutant they pass on ("survived") is behaviour
no test pins down, unless the change does not alter behaviour at all ("equivalent", listed with
the reason in :mod:`tools.mutation.equivalents`).
"""
