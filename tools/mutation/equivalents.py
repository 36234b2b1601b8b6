"""Mutants that do not change behaviour, by key, with the reason (they are not run or counted).

A key is ``path::scope::before => after`` as ``python -m tools.mutation --list`` prints it.
"""

from __future__ import annotations

EQUIVALENT: dict[str, str] = {
    # errors
    "cw_logging/_resilience.py::CircuitBreaker.__init__::self._since = 0.0 => pass": (
        "_since is read only in the open and half-open states, and _open() sets it first"
    ),
    "cw_logging/errors.py::_from_client_error::retry_after = None => pass": (
        "retry_after is already None when float() of the header fails"
    ),
    # filter patterns
    "cw_logging/local/filterpattern/_boolexpr.py::_parse_chain::1 => 0": (
        "with len(operands) == 0 never true, a single operand is wrapped in any()/all() of one "
        "predicate, which answers the same (the shortcut only saves a call)"
    ),
    "cw_logging/local/filterpattern/_boolexpr.py::_parse_chain::0 => -1": (
        "inside 'if len(operands) == 1', operands[-1] is operands[0]"
    ),
    # query text
    "cw_logging/query/_querytext.py::_Scanner.__init__::self.before_previous: str | None = None => pass": (
        "before_previous is read only when previous is set, and _note() sets both together"
    ),
    "cw_logging/query/_querytext.py::_Scanner.run::< => <= #2": (
        "the newline after a '#' is found after the '#', so its index is never 0"
    ),
    "cw_logging/query/_querytext.py::_Scanner.run::0 => 1 #2": "the same: a found newline's index is at least 1",
    "cw_logging/query/_querytext.py::_Scanner.run::1 => 0 #2": (
        "resuming at the newline instead of after it: the newline is then skipped as space"
    ),
    "cw_logging/query/_querytext.py::_Scanner._regex_allowed::0 => -1": (
        "previous is a word (every character a word character), one punctuation character or "
        "'literal': its first and last characters are both word characters or both not"
    ),
    "cw_logging/query/_querytext.py::_Scanner._regex_allowed::0 => -1 #2": "the same as above",
}
"""Key of each equivalent mutant -> why no test can tell it from the original."""
