"""Sensitive key names: only strings are keys, and the cache of answers stays bounded."""

from __future__ import annotations

import pytest

from cw_logging.pii import DEFAULT_KEYS, PiiRedactor
from cw_logging.pii._keys import _CACHE_LIMIT, KeyMatcher


@pytest.mark.parametrize("key", [None, 42, 4.2, b"password", ("password",)])
def test_only_strings_are_sensitive_keys(key: object) -> None:
    assert PiiRedactor().is_sensitive_key(key) is False


def test_the_answer_cache_stays_bounded_and_right() -> None:
    redactor = PiiRedactor()
    matcher = redactor._keys  # the memory held is what is tested: no public view shows it
    for index in range(_CACHE_LIMIT * 2 + 1):
        assert redactor.is_sensitive_key(f"field_{index}") is False
        assert len(matcher._cache) <= _CACHE_LIMIT
    assert redactor.is_sensitive_key("db_password") is True
    assert redactor.is_sensitive_key("db_password") is True  # a cached answer
    assert redactor.is_sensitive_key("field_1") is False


@pytest.mark.parametrize(
    "names",
    [
        DEFAULT_KEYS,
        {"api_key", "apikey", "x_api_key", "account_key", "client_secret", "pin"},
        {"session_id", "session", "id_token", "token"},
    ],
)
def test_key_words_cover_every_name_once(names: frozenset[str] | set[str]) -> None:
    # the key-value scanner searches for these words: every name needs one, and a word inside
    # another (or twice) would only make the search longer
    matcher = KeyMatcher(names)
    for name in matcher.names:
        segments = name.split("_")
        assert any(word in segment for word in matcher.words for segment in segments), name
    for word in matcher.words:
        assert [other for other in matcher.words if other in word] == [word]


def test_words_too_common_in_log_text_are_not_searched_for() -> None:
    matcher = KeyMatcher(DEFAULT_KEYS)
    assert not matcher.may_appear_in("get /api/v1/accounts/42 id=7 number 3 shared client")
    assert matcher.may_appear_in("x-api-key: abc")
