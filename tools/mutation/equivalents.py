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
_REDACTOR = "cw_logging/pii/_redactor.py::"
_STRUCTURED = "cw_logging/pii/_structured.py::"
_GATE = (
    "only changes which runs of word-triggered rules share a gate: a gate searches for any of "
    "its rules' trigger words, and each rule behind it still checks its own words on the same "
    "text, so the same rules run"
)
_CHECKSUMS = "cw_logging/pii/_checksums.py::"
_PII_FILTER = "cw_logging/pii/_filter.py::"
_PII_KEYS = "cw_logging/pii/_keys.py::"
_PII_RULE = "cw_logging/pii/_rule.py::"
_PII_TOKENS = "cw_logging/pii/_tokens.py::"

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
    _BATCHING + "_split::1 => 0": (
        "starting at 0 digits sizes the first pass for '[part 0/0] ', as wide as '[part 9/9] ', "
        "and an oversize message has at least 2 parts, so the loop goes on to 1 digit as before"
    ),
    _BATCHING + "_split::1 => 2 #2": (
        "the widest part number 10**d - 2 has as many digits as 10**d - 1 for every d >= 1"
    ),
    _BATCHING + "_split::1 => 2 #3": "the same, for the part count",
    _BATCHING + "_split::< => <= #2": (
        "when start + capacity == size both branches set end to size"
    ),
    _BATCHING + "normalise_events::0 => 1": (
        "a 1-byte event then takes the slow path, which keeps events of 1..limit bytes unchanged"
    ),
    _BATCHING + "_utf8_size::1 => 2": (
        "-2 and -1 both send the event to the fixing path (the tests are size <= 0 and 0 < size)"
    ),
    _BATCHING + "_utf8_size::1 => 2 #2": "the same, for a message that does not encode",
    _BATCHING + "_utf8_size::1 => 0 #2": (
        "0 and -1 both send the event to the fixing path (the tests are size <= 0 and 0 < size)"
    ),
    _BATCHING + "_cut_batches::0 => -1": (
        "the running sums are only compared with each other, so a common offset cancels"
    ),
    _BATCHING + "_cut_batches::1 => 0": (
        "running[start] <= running[start] + max_bytes, so bisect_right returns start + 1 or more "
        "whether the search starts at start or at start + 1"
    ),
    _BATCHING + "_cut_batches::> => >=": (
        "at a span of exactly 24 hours bisect_right over the sorted stamps returns end itself"
    ),
    # PII
    _KEY_VALUES + "_closing_quote::< => <=": (
        "the search starts after the opening quote, so a found quote's index is at least 1"
    ),
    # PII: _redactor.py, _key_values.py, _structured.py (issue 19)
    _REDACTOR + "<module>::3 => 4": _GATE,
    _REDACTOR + "<module>::3 => 2": _GATE,
    _REDACTOR + "_grouped::>= => >": _GATE,
    _REDACTOR + "_grouped::is not => is": (
        "no rule is gated then (str(None) is no trigger word), and ungated rules check their "
        "own triggers: " + _GATE
    ),
    _REDACTOR + "_grouped::words += found => pass": (
        "the gate searches for the empty pattern and always passes; each rule behind it still "
        "checks its own trigger words"
    ),
    _REDACTOR + "PiiRedactor._redacted_text::continue => pass": (
        "a failed gate means no rule behind it finds its trigger words, so each is skipped "
        "by its own trigger check instead"
    ),
    _KEY_VALUES + "redact_key_values::0 => -1 #2": (
        "Pattern.search treats a negative start position as 0"
    ),
    _KEY_VALUES + "redact_key_values::0 => 1 #3": (
        "_KEY_HEAD ([...]{0,32}) matches the empty string, so match() never returns None and "
        "the else branch is never taken"
    ),
    _KEY_VALUES + "redact_key_values::0 => -1 #3": "the same as above",
    _KEY_VALUES + "_value_span::2 => 1 #2": (
        'the value starts with \\", so the character at start + 1 is a quote and no \\" '
        "can start there"
    ),
    _KEY_VALUES + "_value_span::< => <=": (
        "find() from start + 2 returns -1 or an index of at least 3 (a key and separator come "
        "first), never 0"
    ),
    _KEY_VALUES + "_value_span::0 => 1": "the same: the index found is never 0",
    _KEY_VALUES + "_closing_quote::0 => 1": (
        "the search starts after the opening quote, so a found quote's index is at least 1"
    ),
    _KEY_VALUES + "_closing_quote::> => >=": (
        "at found - backslashes == index the character looked at is the opening quote or the "
        "escaped quote just passed, never a backslash, so the count stops there anyway"
    ),
    _KEY_VALUES + "_line_end::< => <=": (
        "the search starts inside a value, after a key and a separator, so a found newline's "
        "index is never 0"
    ),
    _KEY_VALUES + "_line_end::0 => 1": "the same: a found newline's index is never 0",
    _STRUCTURED + "_redact_url_password::3 => 2": (
        "the match starts with '://': the character at index 2 is '/', so the first ':' from "
        "index 2 is the first from index 3"
    ),
    # PII: checksums, filter, key names, triggers
    _CHECKSUMS + "_card_brand_length_ok::649 => 650": (
        "a 650 prefix starts with 65, which the Discover test already accepts with the same lengths"
    ),
    _CHECKSUMS + "card_number_valid::13 => 12": (
        "no brand has 12-digit cards (Visa's shortest is 13): the brand check rejects them too"
    ),
    _PII_TOKENS + "_redact_aws_secret::40 => 41": (
        "the character before the 40 is a separator, a blank or a quote (the pattern says so): "
        "it adds no upper case, lower case or digit to the check"
    ),
    _PII_FILTER + "PiiFilter.filter::1 => 0": (
        "logging builds exc_info as sys.exc_info() or (type(e), e, tb): the type is None exactly "
        "when the exception is; for a hand-made (type, None, None) the branch only stores the "
        "summary and traceback text formatters derive identically"
    ),
    _PII_KEYS + "<module>::4096 => 4097": (
        "the size of the answer cache only bounds memory; the bound test reads the constant"
    ),
    _PII_KEYS + "<module>::4096 => 4095": "the same",
    _PII_KEYS + "KeyMatcher.__call__::self._cache[key] = cached => pass": (
        "without caching, every answer is recomputed from the same names the same way"
    ),
    _PII_KEYS + "_covering_words::True => False": (
        "no word contains another (they are filtered so), so at any place at most one word of "
        "the alternation matches and their order cannot change a search"
    ),
    _PII_RULE + 'trigger_words::tuple(word.replace("\\\\.", ".") for word in trigger.split("|")) '
    "=> None": (
        "every trigger then runs as the regular expression it is, whose search answers exactly "
        "as the substring test of its words; without words no gate is built, and a gate only "
        "skips rules whose own triggers would all answer False"
    ),
    _PII_RULE + "compile_trigger::1 => 0": (
        "one word then goes through any_word_in, which answers the same as 'word in text'"
    ),
    _PII_RULE + "compile_trigger::0 => -1": "inside 'if len(words) == 1', words[-1] is words[0]",
    _PII_RULE + "any_word_in::False => None": (
        "every caller tests the result for truth only (not trigger(...), if not may_appear_in)"
    ),
}
"""Key of each equivalent mutant -> why no test can tell it from the original."""
