"""Keys at rest: sealed with a key derived from FOLLOWTHROUGH_SECRET_KEY, opened only with it."""

from __future__ import annotations

import pytest

from services.webhooks.adapters.secretbox import SecretBox, SecretBoxError

KEY = "a-secret-key-long-enough-for-the-tests-0123456789"


def test_sealed_opens_to_the_same_text():
    box = SecretBox(KEY)
    sealed = box.seal("whsec_c2VjcmV0")
    assert box.open(sealed) == "whsec_c2VjcmV0"


def test_sealed_does_not_contain_the_secret_and_differs_each_time():
    box = SecretBox(KEY)
    a, b = box.seal("whsec_c2VjcmV0"), box.seal("whsec_c2VjcmV0")
    assert "c2VjcmV0" not in a and a != b


def test_another_process_with_the_same_key_opens_it():
    assert SecretBox(KEY).open(SecretBox(KEY).seal("whsk_x")) == "whsk_x"


def test_another_key_cannot_open_it_and_the_error_says_what_to_do():
    sealed = SecretBox(KEY).seal("whsec_c2VjcmV0")
    with pytest.raises(SecretBoxError) as caught:
        SecretBox(KEY + "-other").open(sealed)
    assert "FOLLOWTHROUGH_SECRET_KEY" in str(caught.value)
    assert "c2VjcmV0" not in str(caught.value)


def test_damaged_value_is_refused():
    box = SecretBox(KEY)
    sealed = box.seal("whsec_c2VjcmV0")
    with pytest.raises(SecretBoxError):
        box.open(sealed[:-4] + "AAAA")


def test_empty_key_is_refused_naming_the_setting():
    with pytest.raises(ValueError, match="FOLLOWTHROUGH_SECRET_KEY"):
        SecretBox("")
