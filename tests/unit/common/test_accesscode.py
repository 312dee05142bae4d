"""A panel's access code: random, shown once, kept and published only as its digest."""

from services.common import accesscode


def test_a_code_matches_its_digest_only():
    code, digest = accesscode.new()
    assert len(code) >= 24 and code not in digest
    assert accesscode.matches(code, digest) and accesscode.matches(f"  {code} ", digest)  # pasted with spaces
    assert not accesscode.matches(code + "x", digest)
    assert not accesscode.matches(code, None) and not accesscode.matches(code, "")
    assert accesscode.new()[0] != code
