"""The public view: no staff email, and no "@" of any kind, leaves in what a webhook receiver gets."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.models import CommitmentTerms, Escalation, Owner
from schemas.publicview import REMOVED, public_view

AT_SIGNS = ("@", "\uff20", "\ufe6b")

# Text that often holds an "@", a look-alike or a whole address, among ordinary characters.
_text = st.text(alphabet=st.sampled_from([*AT_SIGNS, "a", "b", ".", " ", "-", "_", "<", ">", "\u00e9", "1"])) | \
    st.emails() | st.text()
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_text, children, max_size=5),
    max_leaves=30,
)


def _no_at(value) -> None:
    for ensure_ascii in (False, True):
        dumped = json.dumps(value, ensure_ascii=ensure_ascii)
        assert not any(sign in dumped for sign in AT_SIGNS), dumped
        assert "\\uff20" not in dumped.lower() and "\\ufe6b" not in dumped.lower()


@settings(max_examples=400)
@given(_json)
def test_no_at_sign_ever_leaves(data):
    _no_at(public_view(data))


@given(_json)
def test_the_input_is_not_changed(data):
    before = json.dumps(data)
    public_view(data)
    assert json.dumps(data) == before


_plain_text = st.text().filter(lambda s: not any(sign in s for sign in AT_SIGNS))
_plain_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _plain_text,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(_plain_text, children, max_size=5),
    max_leaves=30,
)


@given(_plain_json)
def test_values_without_an_email_are_kept_exactly(data):
    assert public_view(data) == data


def test_staff_emails_of_a_real_event_are_dropped_and_the_rest_kept():
    owner = Owner(role="Inspector", email="owner@police.example.uk", name="A. Owner")
    ladder = Escalation(supervisor="sup@police.example.uk", senior_lead="lead@police.example.uk",
                        board="board@police.example.uk", languages={"supervisor": "cy"})
    terms = CommitmentTerms(id=uuid.uuid4(), action="More patrols", done_means="Patrols logged", owner=owner,
                            escalation=ladder, agreed_on=dt.date(2026, 1, 5), due=dt.date(2026, 3, 1),
                            update_every_days=14)
    data = {"commitment": terms.model_dump(mode="json")}
    view = public_view(data)
    _no_at(view)
    assert view["commitment"]["owner"] == {"role": "Inspector", "name": "A. Owner", "language": None}
    assert view["commitment"]["escalation"] == {"languages": {"supervisor": "cy"}}
    assert view["commitment"]["action"] == "More patrols"


def test_keys_that_are_emails_go_with_their_values_and_list_items_too():
    view = public_view({"languages": {"a@x.uk": "cy", "lead": "en"}, "recipients": ["a@x.uk", "b＠x.uk", "ok"]})
    assert view == {"languages": {"lead": "en"}, "recipients": ["ok"]}


def test_an_address_in_text_is_replaced_and_a_stray_at_spelled_out():
    assert public_view("Ask Sam <sam@police.example.uk> today") == f"Ask Sam <{REMOVED}> today"
    assert public_view("write to ｓａｍ＠ｐｏｌｉｃｅ．ｕｋ.") == f"write to {REMOVED}."
    assert public_view("meet @ 6pm") == "meet  at  6pm"
    assert public_view({"note": "x﹫y z"}) == {"note": f"{REMOVED} z"}
