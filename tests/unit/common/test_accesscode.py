"""A panel's access code: random, shown once, kept and published only as its digest."""

import hashlib
import secrets

from services.common import accesscode


def test_a_code_matches_its_digest_only():
    code, digest = accesscode.new()
    assert len(code) >= 24 and code not in digest
    assert accesscode.matches(code, digest) and accesscode.matches(f"  {code} ", digest)  # pasted with spaces
    assert not accesscode.matches(code + "x", digest)
    assert not accesscode.matches(code, None) and not accesscode.matches(code, "")
    assert accesscode.new()[0] != code


def test_a_code_from_before_the_digest_moved_matches_the_digest_of_its_secret():
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(12)  # as the shared token table made them
    kept = hashlib.sha256(secret.encode()).hexdigest()
    assert accesscode.matches(f"{token_id}-{secret}", kept) and accesscode.matches(f" {token_id}-{secret}\n", kept)
    assert not accesscode.matches(f"{token_id}-{secret[:-1]}x", kept)
    assert not accesscode.matches(secret, accesscode.digest(f"{token_id}-{secret}"))
    code, digest = accesscode.new()
    assert not accesscode.matches(f"{token_id}-{code[:16]}", digest)
