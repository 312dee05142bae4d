"""A panel's access code: ten characters a young person can type (case, spaces, hyphens and
look-alike letters ignored), kept and published only as a salted, slow hash; codes made before
keep matching exactly as they did, by their SHA-256, until they are rotated."""

import hashlib
import re
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common import accesscode

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@pytest.fixture
def cheap(monkeypatch):
    """The properties are about typing, not cost: a cheap scrypt keeps a hundred checks fast."""
    monkeypatch.setattr(accesscode, "LOG2_N", 4)


def test_a_new_code_is_ten_characters_without_look_alikes_shown_in_two_groups():
    code, kept = accesscode.new()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code), code
    assert set(code.replace("-", "")) <= set(CROCKFORD) and not set(code) & set("ILOU")
    assert accesscode.BITS == 50 and code not in kept and accesscode.new()[0] != code


def test_a_new_code_typed_in_lower_case_with_spaces_matches():
    code, kept = accesscode.new()
    typed = " ".join(code.replace("-", "").lower())  # "a b c d e f g h j k" on a phone
    assert accesscode.matches(typed, kept), f"{typed!r} was refused for {code!r}"


def test_a_new_code_is_kept_as_a_salted_slow_hash_that_names_its_parameters():
    code, kept = accesscode.new()
    assert re.fullmatch(r"\$scrypt\$ln=(\d+),r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+", kept), kept
    assert int(kept.split("$")[2].split(",")[0][3:]) >= 14  # 16 MiB and tens of milliseconds a guess
    assert accesscode.protect(code) != accesscode.protect(code)  # salted: two hashes of one code differ
    assert len(kept) <= accesscode.MAX_STORED


def test_look_alike_letters_are_read_as_the_digits_they_look_like():
    assert accesscode.normalise("abcde-fghjk") == "ABCDEFGHJK"
    assert accesscode.normalise(" 0o1il - 23 4 5\t6 ") == "001112345" + "6"
    assert accesscode.shown("ABCDEFGHJK") == "ABCDE-FGHJK"


def test_a_code_made_before_matches_its_sha256_exactly_as_before():
    old = "RVQ73dJyxcVuF3rK1QkmSg1X"
    digest = hashlib.sha256(old.encode()).hexdigest()
    assert accesscode.matches(old, digest) and accesscode.matches(f"  {old} ", digest)  # pasted with spaces
    assert not accesscode.matches(old.lower(), digest) and not accesscode.matches(old + "x", digest)
    assert not accesscode.matches(old, None) and not accesscode.matches(old, "")


def test_a_kept_hash_with_absurd_parameters_never_matches_and_never_runs():
    absurd = "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0$" + "A" * 43
    assert not accesscode.matches("ABCDE-FGHJK", absurd)
    assert not accesscode.matches("ABCDE-FGHJK", "$scrypt$not-a-hash")


codes = st.text(alphabet=CROCKFORD, min_size=10, max_size=10)
LOOKS_LIKE = {"0": "0oO", "1": "1iIlL"}


@st.composite
def typed_as(draw, code: str) -> str:
    """`code` as someone might type it: any case, look-alike letters, spaces and hyphens anywhere."""
    out = ""
    for ch in code:
        ch = draw(st.sampled_from(LOOKS_LIKE.get(ch, ch.upper() + ch.lower())))
        out += draw(st.sampled_from(["", "", " ", "-", "  ", " - "])) + ch
    return out + draw(st.sampled_from(["", " ", "\n"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), code=codes, other=codes)
def test_any_typed_variant_of_a_code_matches_and_other_codes_do_not(cheap, data, code, other):
    kept = accesscode.protect(code)
    assert accesscode.matches(data.draw(typed_as(code)), kept)
    if other != code:
        assert not accesscode.matches(data.draw(typed_as(other)), kept)


def test_a_code_from_before_the_digest_moved_matches_the_digest_of_its_secret():
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(12)  # as the shared token table made them
    kept = hashlib.sha256(secret.encode()).hexdigest()
    assert accesscode.matches(f"{token_id}-{secret}", kept) and accesscode.matches(f" {token_id}-{secret}\n", kept)
    wrong = "y" if secret.endswith("x") else "x"  # a different last character: 1 secret in 64 ends with "x"
    assert not accesscode.matches(f"{token_id}-{secret[:-1]}{wrong}", kept)
    assert not accesscode.matches(secret, accesscode.digest(f"{token_id}-{secret}"))
    code = "RVQ73dJyxcVuF3rK1QkmSg1X"  # a code of the next shape (24 characters) is matched whole
    assert not accesscode.matches(f"{token_id}-{code[:16]}", accesscode.digest(code))
