"""Checksums and ranges that tell real card numbers, IBANs and SSNs from look-alike digit runs."""

from __future__ import annotations

__all__ = ["card_number_valid", "iban_valid", "luhn_valid", "ssn_valid"]


# Each digit doubled, as the Luhn sum counts it (the digits of 2 x digit added: 7 -> 14 -> 5).
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_valid(digits: str) -> bool:
    """Return True when the string of ASCII digits passes the Luhn checksum."""
    if not (digits.isascii() and digits.isdigit()):
        return False
    # the bytes of ASCII digits sum to the digits' sum plus 48 ("0") for each
    checked = (digits[-1::-2] + digits[-2::-2].translate(_DOUBLED)).encode()
    return (sum(checked) - 48 * len(digits)) % 10 == 0


def _card_brand_length_ok(digits: str) -> bool:
    length = len(digits)
    if digits[0] == "4":
        return length in (13, 16, 19)  # Visa
    two, three, four = int(digits[:2]), int(digits[:3]), int(digits[:4])
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return length == 16  # Mastercard
    if two in (34, 37):
        return length == 15  # American Express
    if four == 6011 or two in (62, 65) or 644 <= three <= 649:
        return 16 <= length <= 19  # Discover (6011, 644-649, 65), UnionPay (62, with 622126-622925)
    if 3528 <= four <= 3589:
        return 16 <= length <= 19  # JCB
    if two in (36, 38, 39) or 300 <= three <= 305:
        return 14 <= length <= 19  # Diners Club
    return False


def card_number_valid(digits: str) -> bool:
    """Return True for a digit string with a card brand's prefix and length that passes Luhn."""
    return len(digits) >= 13 and _card_brand_length_ok(digits) and luhn_valid(digits)


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """Return True when the three parts of a US SSN are in ranges the SSA ever assigns."""
    return (
        area not in ("000", "666")
        and not area.startswith("9")
        and group != "00"
        and serial != "0000"
    )


IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip
"""IBAN length by country code (the IBAN registry)."""


def iban_valid(compact: str) -> bool:
    """Return True for an IBAN without spaces whose length fits its country and whose check
    digits pass ISO 7064 mod 97-10."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1
