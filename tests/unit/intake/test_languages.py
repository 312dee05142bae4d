"""Languages in what facilitators send (contract §8.4): a panel's, each person's and each lead's,
and a recommendation's titles; a wrong value is refused naming the field and the fix, in the API,
the CSV and the record form; what is sent reaches the events, the stored rows and the sign-in email."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from starlette.datastructures import FormData

from schemas.policy import PolicyFile
from services.common.i18n import speaking
from services.common.problems import describe
from services.common.tokens import Principal
from services.intake.adapters.mail import OWN, compose
from services.intake.domain.signinmail import email_languages
from services.intake.domain.submissions import DecisionIn, PanelIn, RecommendationIn
from services.intake.usecases import csvimport, record
from services.intake.usecases.errors import CsvRejected, Invalid, NotFound
from services.intake.web import recordform
from tests.unit.intake.fakes import FakeStorage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
ADMIN = Principal("adm", "admin", "admin@example.org", None)
POLICIES = PolicyFile()
THEMES = POLICIES.themes()
PANEL = {"slug": "p1", "name": "Panel One", "area": "North",
         "police_lead": {"role": "Inspector", "email": "lead@example.org", "language": "cy"},
         "escalation": {"supervisor": "sup@example.org", "senior_lead": "senior@example.org",
                        "board": "board@example.org", "languages": {"supervisor": "cy", "board": "en"}},
         "language": "bilingual"}
COMMITMENT = {"action": "Brief every officer", "done_means": "All briefed",
              "owner": {"role": "Inspector", "email": "owner@example.org", "language": "cy"}, "due": "2026-06-30"}
TITLES = {"en": "Say why you stop us", "cy": "Dywedwch pam rydych chi’n ein stopio"}


def _refusal(model, doc) -> dict:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(doc)
    (error,) = describe(caught.value.errors())
    return error


@pytest.mark.parametrize("where, doc", [
    ("language", {**PANEL, "language": "welsh"}),
    ("police_lead.language", {**PANEL, "police_lead": {**PANEL["police_lead"], "language": "fr"}}),
    ("escalation.languages.board", {**PANEL, "escalation": {**PANEL["escalation"], "languages": {"board": "EN-GB"}}}),
])
def test_a_panel_with_a_wrong_language_is_refused_naming_the_field_and_the_fix(where, doc):
    error = _refusal(PanelIn, doc)
    assert error["field"] == where
    assert ("use en, cy or bilingual" if where == "language" else "use en or cy") in error["message"]


def test_an_owner_with_a_wrong_language_is_refused_naming_the_field():
    doc = {"panel": "p1", "raised_on": "2026-02-20", "title": "Say why", "decision": "agreed",
           "commitment": {**COMMITMENT, "owner": {**COMMITMENT["owner"], "language": "Cymraeg"}}}
    error = _refusal(RecommendationIn, doc)
    assert error["field"] == "commitment.owner.language" and "use en or cy" in error["message"]


@given(st.text(max_size=12).filter(lambda t: t.strip().lower() not in ("en", "cy", "")))
def test_a_person_reads_en_or_cy_and_nothing_else(value):
    doc = {**PANEL, "police_lead": {**PANEL["police_lead"], "language": value}}
    with pytest.raises(ValidationError):
        PanelIn.model_validate(doc)


def test_not_known_is_no_language_at_all():
    doc = {**PANEL, "police_lead": {"role": "Inspector", "email": "lead@example.org", "language": ""},
           "escalation": {**PANEL["escalation"], "languages": {"supervisor": "", "board": "cy"}}}
    del doc["language"]
    panel = PanelIn.model_validate(doc)
    assert panel.language == "en" and panel.police_lead.language is None
    assert panel.escalation.languages == {"board": "cy"}


def test_a_panels_language_and_its_peoples_go_into_its_events_and_stay_for_a_new_code():
    storage = FakeStorage()
    record.register_panel(storage, PanelIn.model_validate(PANEL), NOW, key=None, caller="adm", public_url="u")
    record.rotate_access_code(storage, "p1", NOW)
    for kind in ("panel.registered", "panel.updated"):
        (event,) = storage.events(kind)
        panel = event["data"]["panel"]
        assert panel["language"] == "bilingual" and panel["police_lead"]["language"] == "cy"
        assert panel["escalation"]["languages"] == {"supervisor": "cy", "board": "en"}


def test_titles_go_into_the_events_even_when_decided_later():
    storage = FakeStorage()
    record.register_panel(storage, PanelIn.model_validate(PANEL), NOW, key=None, caller="adm", public_url="u")
    req = RecommendationIn.model_validate({"panel": "p1", "raised_on": "2026-02-20", "title": TITLES["en"],
                                           "titles": {**TITLES, "cy": " " + TITLES["cy"]}, "decision": "pending"})
    _, body = record.record_one(storage, req, NOW, who=ADMIN, key=None, policies=POLICIES, themes=THEMES,
                                public_url="u")
    record.decide(storage, body["recommendation_id"], DecisionIn.model_validate(
        {"decision": "agreed", "commitment": COMMITMENT}), NOW, who=ADMIN, key=None, policies=POLICIES,
        public_url="u")
    (recorded,) = storage.events("recommendation.recorded")
    (agreed,) = storage.events("recommendation.agreed")
    assert recorded["data"]["recommendation"]["titles"] == agreed["data"]["recommendation"]["titles"] == TITLES
    owner = agreed["data"]["commitment"]["owner"]
    assert owner["language"] == "cy"
    assert agreed["data"]["commitment"]["escalation"]["languages"] == {"supervisor": "cy", "board": "en"}


def test_an_empty_title_in_one_language_is_no_title():
    req = RecommendationIn.model_validate({"panel": "p1", "raised_on": "2026-02-20", "title": "T",
                                           "titles": {"en": "T", "cy": ""}, "decision": "pending"})
    assert req.titles == {"en": "T"}


def _csv(**cells) -> str:
    row = {c: "" for c in csvimport.COLUMNS} | {"panel": "p1", "raised_on": "2026-02-20", "title": "Say why",
                                                "decision": "agreed", "commitment.action": "Brief",
                                                "commitment.done_means": "All briefed",
                                                "commitment.owner.role": "Inspector",
                                                "commitment.owner.email": "owner@example.org",
                                                "commitment.due": "2026-06-30"} | cells
    return ",".join(csvimport.COLUMNS) + "\n" + ",".join(row[c] for c in csvimport.COLUMNS) + "\n"


def test_the_csvs_language_and_title_columns_fill_the_request():
    ((_, req),) = csvimport.parse(_csv(title_en="Say why", title_cy="Dywedwch pam", owner_language="cy"), THEMES)
    assert req.titles == {"en": "Say why", "cy": "Dywedwch pam"}
    assert req.commitment.owner.language == "cy"


def test_a_leads_language_without_the_rows_ladder_is_refused_naming_its_column():
    with pytest.raises(CsvRejected) as caught:
        csvimport.parse(_csv(supervisor_language="cy"), THEMES)
    (error,) = caught.value.errors
    assert error["row"] == 2 and error["field"] == "supervisor_language" and "ladder" in error["fix"]


def test_a_wrong_language_in_the_csv_names_its_row_and_column():
    with pytest.raises(CsvRejected) as caught:
        csvimport.parse(_csv(owner_language="Welsh"), THEMES)
    (error,) = caught.value.errors
    assert error["row"] == 2 and error["field"] == "owner_language" and "use en or cy" in error["message"]


def test_a_csv_ladder_with_languages_carries_them():
    ladder = {"commitment.escalation.supervisor": "s@example.org", "commitment.escalation.senior_lead": "l@example.org",
              "commitment.escalation.board": "b@example.org"}
    ((_, req),) = csvimport.parse(_csv(**ladder, senior_lead_language="cy"), THEMES)
    assert req.commitment.escalation.languages == {"senior_lead": "cy"}


def _form(**fields) -> FormData:
    return FormData([(name.replace("__", "."), value) for name, value in fields.items()])


def _agreed_form(**more) -> FormData:
    return _form(count="1", **{"r0.title": "Say why", "r0.decision": "agreed", "r0.commitment.action": "Brief",
                               "r0.commitment.done_means": "All briefed", "r0.commitment.owner.role": "Inspector",
                               "r0.commitment.owner.email": "o@example.org", "r0.commitment.due": "2027-01-31",
                               **more})


def test_the_record_form_sends_titles_and_the_owners_language():
    entries = recordform.read_entries(_agreed_form(**{"r0.title_cy": "Dywedwch pam", "r0.title_en": "",
                                                      "r0.commitment.owner.language": "cy"}))
    (req,) = recordform.validate(entries, "p1", dt.date(2026, 11, 20), THEMES)
    assert req.titles == {"cy": "Dywedwch pam"} and req.commitment.owner.language == "cy"
    (unknown,) = recordform.validate(recordform.read_entries(_agreed_form()), "p1", dt.date(2026, 11, 20), THEMES)
    assert unknown.commitment.owner.language is None


def test_a_wrong_language_on_the_form_is_shown_beside_its_select_in_the_pages_language():
    entries = recordform.read_entries(_agreed_form(**{"r0.commitment.owner.language": "xx"}))
    with speaking("cy", OWN):
        assert recordform.validate(entries, "p1", dt.date(2026, 11, 20), THEMES) is None
    assert entries[0].errors == {"commitment.owner.language": "Dewiswch Saesneg, Cymraeg neu Ddim yn gwybod."}


@pytest.mark.parametrize("panel, languages", [("en", ("en",)), ("cy", ("cy",)), ("bilingual", ("cy", "en")),
                                              (None, ("en",))])
def test_the_signin_email_speaks_the_panels_language_or_both_welsh_first(panel, languages):
    assert email_languages(panel) == languages
    msg = compose("from@example.org", "to@example.org", "https://x.example/signin/link?key=k", "<m@x>", panel)
    body = msg.get_content()
    welsh, english = body.find("agorwch y ddolen hon"), body.find("open this link")
    assert (welsh >= 0) == ("cy" in languages) and (english >= 0) == ("en" in languages)
    if len(languages) == 2:
        assert welsh < english and msg["Subject"].startswith("Eich dolen mewngofnodi")


def test_a_panels_language_can_be_set_later_and_its_access_code_stays():
    storage = FakeStorage()
    record.register_panel(storage, PanelIn.model_validate(PANEL), NOW, key=None, caller="adm", public_url="u")
    verifier = storage.state.panels["p1"]["access_code_sha256"]
    record.set_panel_language(storage, "p1", "cy", NOW)
    (event,) = storage.events("panel.updated")
    panel = event["data"]["panel"]
    assert panel["language"] == "cy" and storage.state.panels["p1"]["language"] == "cy"
    assert panel["access_code_hash"] == verifier and panel["police_lead"]["language"] == "cy"
    with pytest.raises(Invalid) as refused:
        record.set_panel_language(storage, "p1", "fr", NOW)
    assert refused.value.field == "language" and "en, cy or bilingual" in refused.value.fix
    with pytest.raises(NotFound):
        record.set_panel_language(storage, "nowhere", "cy", NOW)
