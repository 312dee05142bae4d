"""Text that looks like a young person's contact details is refused (contract §1, §5)."""

import pytest

from services.common.guard import contact_details_in

REFUSED = [
    ("Ring me on 07700 900123 after school", "a phone number"),
    ("my mum's number is +44 7911 123456", "a phone number"),
    ("call the centre 020 7946 0018", "a phone number"),
    ("email me at jay.smith2009@gmail.com", "an email address"),
    ("I live at 14 Hoe Street near the station", "a street address or postcode"),
    ("around E17 4PP there are no lights", "a street address or postcode"),
    ("follow @jaylen_k09 on insta", "a social media handle"),
]

ALLOWED = [
    "Officers should explain the grounds for every stop and search",
    "Run 6 sessions with 17 young people by March 2026",
    "Meet every 2 weeks from 2026-01-15",
    "Budget of 15000 pounds for 12 workshops",
    "Youth-led training in 3 boroughs for 40 officers",
    "Review body-worn video of 100 stops each quarter",
]


@pytest.mark.parametrize("text,finding", REFUSED)
def test_contact_details_are_found(text, finding):
    assert finding in contact_details_in(text)


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_recommendations_pass(text):
    assert contact_details_in(text) == []
