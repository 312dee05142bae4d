"""tests/support/parity.py: the structure of a page, words left out."""

from __future__ import annotations

from tests.support.parity import structure, without_lang


def test_a_page_and_its_twin_in_other_words_have_the_same_structure():
    en = ('<a href="/me?lang=cy">Cymraeg</a><form method="post" action="/x"><input type="hidden" name="csrf" '
          'value="a1"><label>Why?</label><textarea name="reason"></textarea><button type="submit">Send</button></form>')
    cy = ('<a href="/me?lang=en">English</a><form method="POST" action="/x"><input type="hidden" name="csrf" '
          'value="b2"><label>Pam?</label><textarea name="reason"></textarea>'
          '<button type="submit">Anfon</button></form>')
    assert structure(en) == structure(cy) == [("a", "/me"), ("form", "post", "/x"), ("input", "hidden", "csrf"),
                                              ("textarea", "reason"), ("button", "submit")]


def test_a_missing_field_or_link_shows():
    page = '<form action="/f"><select name="role"><option value="a"></option></select></form><a href="/b">b</a>'
    assert structure(page) != structure(page.replace('<option value="a"></option>', ""))
    assert structure(page) != structure(page.replace('href="/b"', 'href="/c"'))


def test_only_lang_leaves_the_address():
    assert without_lang("/register?page=2&lang=cy#how") == "/register?page=2#how"
    assert without_lang("/register?lang=en") == "/register"
