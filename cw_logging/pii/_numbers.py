"""Numbers that identify a person or an account, told from look-alikes by their checksums and
ranges: payment card numbers (Luhn and the brand's prefix and length), US SSNs and IBANs."""

from __future__ import annotations

from ._checksums import IBAN_LENGTHS, card_number_valid, iban_valid, ssn_valid
from ._rule import Rule, token

__all__ = ["NUMBER_RULES"]

# No triggers: each pattern starts with a character class (not a look-behind), so that re skips
# ahead quickly, and is its own cheapest check;
# the look-behind then checks the character before the first one: not inside a word, a decimal
# number, a path or a longer digit run (a colon is allowed: ``card:4012…``, ``ssn:078-…``).
_NOT_IN_WORD_AFTER = r"(?![0-9A-Za-z_]|[.,-][0-9])"


_SEPARATORS = str.maketrans("", "", " -:")


def _redact_card(text: str) -> str:
    if ":" in text and ("-" in text or " " in text):  # colons only with colons
        return text
    return token("card") if card_number_valid(text.translate(_SEPARATORS)) else text


def _redact_ssn(text: str) -> str:
    return token("ssn") if ssn_valid(text[:3], text[4:6], text[7:]) else text


def _redact_iban(text: str) -> str:
    """``text`` is an IBAN-shaped run: the country's length decides where the IBAN ends (a
    longer match may have taken a word after it)."""
    length = IBAN_LENGTHS.get(text[:2])
    if length is None:
        return text
    taken = 0
    for index, char in enumerate(text):
        if char != " ":
            taken += 1
            if taken == length:
                end = index + 1
                break
    else:
        return text
    if end < len(text) and text[end] != " ":
        return text
    return token("iban") + text[end:] if iban_valid(text[:end].replace(" ", "")) else text


NUMBER_RULES: tuple[Rule, ...] = (
    Rule(
        "iban",
        r"[A-Z](?<![A-Za-z0-9_][A-Z])[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?"
        r"(?![A-Za-z0-9])",
        _redact_iban,
    ),
    Rule(
        "ssn",
        r"[0-8](?<![A-Za-z0-9_.,/+-][0-8])[0-9]{2}(?P<ssn_sep>[- ])[0-9]{2}(?P=ssn_sep)[0-9]{4}"
        + _NOT_IN_WORD_AFTER,
        _redact_ssn,
    ),
    Rule(
        "card",
        r"[2-6](?<![A-Za-z0-9_.,/+-][2-6])[0-9]{3}(?:[ :-]?[0-9]){9,15}" + _NOT_IN_WORD_AFTER,
        _redact_card,
    ),
)
"""Number rules in the order they apply."""
