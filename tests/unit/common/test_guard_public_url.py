"""PublicUrl: an evidence link is an http(s) address whose decoded host, path, query and fragment
carry no contact details; ordinary evidence links pass unchanged."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from services.common.text import PublicUrl

URL = TypeAdapter(PublicUrl)

ORDINARY = ["https://intranet.example.org/briefing",
            "https://www.police.uk/pu/your-area/metropolitan-police-service/",
            "https://www.met.police.uk/sd/stats-and-data/met/stop-and-search-dashboard/?area=E09000031",
            "https://data.police.uk/api/crimes-street/all-crime?lat=51.58&lng=-0.02&date=2026-07",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://x.example/reports/2026/07/15/panel-minutes.pdf#page=3",
            "http://x.example/docs/0712a3b4-5678-90ab-cdef-1234567890ab"]
CONTACT = ["https://x.example/?ask=jay@gmail.com&tel=07911123456",
           "https://x.example/?ask=jay%40gmail%2Ecom",
           "https://x.example/?who=jay+at+hotmail+dot+com",
           "https://x.example/contact/07911%20123%20456",
           "https://x.example/#snap:sammy_2009",
           "https://www.instagram.com/sammy_2009/",
           "https://wa.me/447911123456",
           "https://jay%40gmail.com@x.example/",
           "https://x.example/map?q=12+hoe+street+E17+4PP"]


@pytest.mark.parametrize("url", ORDINARY)
def test_an_ordinary_evidence_link_passes_unchanged(url):
    assert URL.validate_python(url) == url


@pytest.mark.parametrize("url", CONTACT)
def test_a_link_carrying_contact_details_is_refused_in_plain_words(url):
    with pytest.raises(ValidationError) as exc:
        URL.validate_python(url)
    assert "this link seems to contain" in str(exc.value) and "contact details" in str(exc.value)


@pytest.mark.parametrize("url", ["ftp://x.example/a", "javascript:alert(1)", "x.example/briefing", "https://",
                                 "http://[::1/briefing"])
def test_anything_but_a_web_address_is_refused_saying_what_to_write(url):
    with pytest.raises(ValidationError, match="must be a web address starting with https://"):
        URL.validate_python(url)
