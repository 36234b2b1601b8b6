"""Mutants that do not change behaviour, by key, with the reason (they are not run or counted).

A key is ``path::scope::before => after`` as ``python -m tools.mutation --list`` prints it.
"""

from __future__ import annotations

_RESILIENCE = "cw_logging/_resilience.py::"
_ERRORS = "cw_logging/errors.py::"
_BOOLEXPR = "cw_logging/local/filterpattern/_boolexpr.py::"
_TERMS = "cw_logging/local/filterpattern/_terms.py::"
_JSON_PATTERN = "cw_logging/local/filterpattern/_json_pattern.py::"
_DELIMITED = "cw_logging/local/filterpattern/_delimited.py::"
_LEXER = "cw_logging/local/filterpattern/_lexer.py::"
_QUERYTEXT = "cw_logging/query/_querytext.py::"
_BATCHING = "cw_logging/delivery/_batching.py::"
_KEY_VALUES = "cw_logging/pii/_key_values.py::"

EQUIVALENT: dict[str, str] = {
    # errors
    _RESILIENCE + "CircuitBreaker.__init__::self._since = 0.0 => pass": (
        "_since is read only in the open and half-open states, and _open() sets it first"
    ),
    _ERRORS + "_from_client_error::retry_after = None => pass": (
        "retry_after is already None when float() of the header fails"
    ),
    # filter patterns
    _BOOLEXPR + "_parse_chain::1 => 0": (
        "with len(operands) == 0 never true, a single operand is wrapped in any()/all() of one "
        "predicate, which answers the same (the shortcut only saves a call)"
    ),
    _BOOLEXPR + "_parse_chain::0 => -1": (
        "inside 'if len(operands) == 1', operands[-1] is operands[0]"
    ),
    _TERMS + "_parse::< => <= #3": (
        "the closing quote is searched from i + 1 >= 1, so find() returns -1 or at least 1, never 0"
    ),
    _TERMS + "_parse::0 => 1 #2": "the same: end < 1 and end < 0 agree when end is never 0",
    _JSON_PATTERN + "resolve_all::found = True => pass": (
        "a MISSING yielded after the values found satisfies no comparison nor IS, cannot make "
        "NOT EXISTS true once a value was found, and selector_value reads only the first value"
    ),
    _JSON_PATTERN + "resolve_all::True => False": "the same as above",
    _DELIMITED + "compile_delimited.find::> => >=": (
        "with exactly as many fields as slots, joining the last field alone leaves it unchanged"
    ),
    _DELIMITED + "split_fields::>= => >": (
        "the closer is searched from i + 1 >= 1, so find() returns -1 or at least 1, never 0"
    ),
    _DELIMITED + "split_fields::0 => 1 #2": "the same: end >= 1 and end >= 0 agree",
    _DELIMITED + "_alignments::1 => 0 #2": (
        "fixed only prunes: an ellipsis taking more fields leaves fewer than the named slots "
        "after it need (each needs one), which yields nothing, after the same alignments"
    ),
    _DELIMITED + "_alignments::1 => 2 #3": (
        "the extra last try leaves one field too few for the named slots (nothing) or, with "
        "none, repeats the last alignment after it: the first matching one is unchanged"
    ),
    _LEXER + "tokenize::< => <= #2": (
        "the closing % is searched from i + 1 >= 1, so find() returns -1 or at least 1, never 0"
    ),
    _LEXER + "tokenize::0 => 1 #2": "the same: end < 1 and end < 0 agree",
    _LEXER + "_selector_bracket::> => >=": (
        "the '[' is after the '$' at start, and the ']' after the '[': find() returns -1 or "
        "at least 2, so > 0, >= 0, > 1 and > -1 agree"
    ),
    _LEXER + "_selector_bracket::0 => 1": "the same as above",
    _LEXER + "_selector_bracket::0 => -1": "the same as above",
    # query text
    _QUERYTEXT + "_Scanner.__init__::self.before_previous: str | None = None => pass": (
        "before_previous is read only when previous is set, and _note() sets both together"
    ),
    _QUERYTEXT + "_Scanner.run::< => <= #2": (
        "the newline after a '#' is found after the '#', so its index is never 0"
    ),
    _QUERYTEXT + "_Scanner.run::0 => 1 #2": "the same: a found newline's index is at least 1",
    _QUERYTEXT + "_Scanner.run::1 => 0 #2": (
        "resuming at the newline instead of after it: the newline is then skipped as space"
    ),
    _QUERYTEXT + "_Scanner._regex_allowed::0 => -1": (
        "previous is a word (every character a word character), one punctuation character or "
        "'literal': its first and last characters are both word characters or both not"
    ),
    _QUERYTEXT + "_Scanner._regex_allowed::0 => -1 #2": "the same as above",
    # batch builder
    _BATCHING + "_split::10 => 9": (
        "the marker is sized for the widest part number: 9**d - 1 has d digits like 10**d - 1 "
        "for every d below 22, and no message has 10**21 parts"
    ),
    _BATCHING + "_split::10 => 9 #2": "the same, for the part count",
    _BATCHING + "normalise_events::> => >=": (
        "an event exactly at the limit then takes the slow path, which keeps it unchanged"
    ),
    _BATCHING + "_utf8_size::1 => 0": (
        "0 and -1 both send the event to the fixing path (the test is size <= 0)"
    ),
    _BATCHING + "_cut_batches::0 => 1": (
        "the running sums are only compared with each other, so a common offset cancels"
    ),
    _BATCHING + "_cut_batches::1 => 2": (
        "bisect_right returns at least lo, so with lo = start + 2 a batch still ends at "
        "start + 1 or later, which is where one event that fits ends it anyway"
    ),
    _BATCHING + "_fix_events::True => False": "events and sizes always have the same length",
    # PII
    _KEY_VALUES + "_closing_quote::< => <=": (
        "the search starts after the opening quote, so a found quote's index is at least 1"
    ),
}
"""Key of each equivalent mutant -> why no test can tell it from the original."""
