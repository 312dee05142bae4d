"""Every page a person opens, in Welsh and in English, in real Chromium at 320 px (docs/contract.md §8.4):
intake's sign-in pages, panel chooser and record form (with its errors), and the tracker's panel page,
session pack, register, respond and approval pages, sign-in, `/me` (signed in at a real OpenID
provider), and a message page. Each language is one fresh visitor's whole journey, asking with
`?lang=`. Each page says its language in `<html lang>` and Content-Language, links to its twin with `hreflang`, has the
same links, forms, fields and buttons as its twin (structure, not words: a Welsh page must work as
fully as the English one), and passes axe and the Nu Html Checker."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest

from services.common.clock import london_today
from services.tracker.adapters.links import ApprovalLinks, RespondLinks
from tests.conftest import ARTIFACTS
from tests.support import vnu
from tests.support.api import issue_token, panel_body
from tests.support.events import agreed_event, ladder, panel_event, publish
from tests.support.every_state import seed_every_state
from tests.support.notices import publish_all
from tests.support.parity_browser import HTML_LANG, Shown, masked, read, twin_faults, with_lang
from tests.support.procs import wait_until
from tests.support.services import ServiceProcess

SECRET = "a-test-secret-that-is-long-enough-to-be-strong"
WIDTH = 320


def _api_ok(r: httpx.Response, status: int = 200) -> None:
    assert r.status_code == status, (r.request.url, r.status_code, r.text)


def _seed_tracker(url: str, stack, database_url: str, uid: str, prefix: str) -> dict[str, str]:
    seeded = seed_every_state(url, stack, database_url, uid, prefix)
    wait_until(lambda: "Free bus passes" in httpx.get(f"{url}/panels/panel-{uid}").text, timeout=30)
    respond = RespondLinks(SECRET, url).url(seeded.late, seeded.owner)
    return {"late": seeded.late, "owner": seeded.owner, "respond": respond,
            "approve": ApprovalLinks(SECRET, url).url_for(seeded.extended, ladder(uid).supervisor, seeded.far)}


@pytest.fixture
def site(stack, service_env, database_url, smtp, oidc_provider, uid, prefix):
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**service_env, "FOLLOWTHROUGH_SECRET_KEY": SECRET}
    tracker, intake = ServiceProcess("tracker", dict(env), logs), ServiceProcess("intake", dict(env), logs)
    owner = f"o-{uid}@example.org"  # agreed_event's owner: their /me lists the panel's promises
    provider = oidc_provider([{"id": "owner", "email": owner, "email_verified": True, "tid": "tenant-a",
                               "roles": [], "name": "Owner"}], [f"{tracker.url}/signin/callback"])
    tracker.env.update(provider.env(followthrough_oidc_allowed_tenants="tenant-a"),
                       FOLLOWTHROUGH_PUBLIC_URL=tracker.url)
    intake.env["FOLLOWTHROUGH_INTAKE_PUBLIC_URL"] = intake.url  # the sign-in link comes back here
    vnu.classpath()  # fetched once, before the services start
    tracker.start()
    intake.start()
    try:
        seeded = _seed_tracker(tracker.url, stack, database_url, uid, prefix)
        own = uuid.uuid4().hex[:8]  # intake's own panel, so its event does not replace the tracker's
        _api_ok(httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(own),
                           headers={"Authorization": f"Bearer {issue_token(database_url)}"}), 201)
        admin = f"admin-{uid}@example.org"  # an admin signs in by email and sees the panel chooser
        issue_token(database_url, "admin", admin)

        class Site:
            intake_url, tracker_url, smtp_server = intake.url, tracker.url, smtp
            intake_admin, intake_panel = admin, f"panel-{own}"
            panel = f"{tracker.url}/panels/panel-{uid}"
            respond, approve, late = seeded["respond"], seeded["approve"], seeded["late"]
        yield Site
    finally:
        intake.stop()
        tracker.stop()


def _context(browser, **extra):
    # JavaScript on: axe is a script. The pages themselves use none.
    return browser.new_context(viewport={"width": WIDTH, "height": 900}, **extra)


def _link_from_email(smtp, to: str, seen: int) -> str:
    """The newest sign-in link to `to`, once more than `seen` emails to them have come."""
    mine = lambda: [c for c in smtp.snapshot() if to in c.envelope_to]  # noqa: E731
    wait_until(lambda: len(mine()) > seen, timeout=30)
    text = mine()[-1].message.get_content()
    return next(word for word in text.split() if "/signin/link?key=" in word)


def _intake_journey(browser, site, lang: str) -> list[Shown]:
    """A facilitator's pages, from asking for a sign-in link to a record form sent back with errors."""
    seen = len([c for c in site.smtp_server.snapshot() if site.intake_admin in c.envelope_to])
    page = _context(browser).new_page()
    shown = [read(page, page.goto(with_lang(f"{site.intake_url}/signin", lang)), "intake sign-in", lang)]
    form = page.locator("form:has(input[name=email])")
    form.locator("input[name=email]").fill(site.intake_admin)
    with page.expect_navigation() as sent:
        form.locator("button[type=submit]").click()
    shown.append(read(page, sent.value, "intake sign-in: link sent", lang))
    link = _link_from_email(site.smtp_server, site.intake_admin, seen)
    confirm = read(page, page.goto(with_lang(link, lang)), "intake sign-in: confirm the link", lang)
    shown.append(masked(confirm, link.split("key=")[1], "KEY"))  # each visitor's own link
    with page.expect_navigation() as chooser:
        page.locator("form:has(input[name=key]) button[type=submit]").click()
    shown.append(read(page, chooser.value, "intake panel chooser", lang))
    record = with_lang(f"{site.intake_url}/panels/{site.intake_panel}/record", lang)
    shown.append(read(page, page.goto(record), "intake record form", lang))
    with page.expect_navigation() as refused:  # nothing filled in: sent back with its errors
        page.locator("button[name=action][value=record]").click()
    shown.append(read(page, refused.value, "intake record form with errors", lang))
    shown.append(read(page, page.goto(with_lang(f"{site.intake_url}/signin/link?key=nope", lang)),
                      "intake message page (a bad link)", lang))
    page.context.close()
    return shown


def _tracker_journey(browser, site, lang: str) -> list[Shown]:
    """The panel's pages, a police lead's links from their email, and `/me` after signing in."""
    page = _context(browser).new_page()
    shown = [read(page, page.goto(with_lang(url, lang)), name, lang) for name, url in (
        ("tracker panel page", site.panel), ("tracker session pack", f"{site.panel}/session"),
        ("tracker register", f"{site.tracker_url}/register"), ("tracker respond page", site.respond),
        ("tracker approval page", site.approve), ("tracker message page (no such panel)",
                                                  f"{site.tracker_url}/panels/no-such-panel"),
        ("tracker sign-in", f"{site.tracker_url}/signin"))]
    page.locator("a[href*='force=1']").click()  # to the force's own login page (not ours: not checked)
    page.locator("input[name=login]").fill("owner")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{site.tracker_url}/me*")
    shown.append(read(page, page.goto(with_lang(f"{site.tracker_url}/me", lang)), "tracker /me", lang))
    shown.append(read(page, page.goto(with_lang(f"{site.tracker_url}/me/commitments/{site.late}", lang)),
                      "tracker /me: one commitment", lang))
    page.context.close()
    return shown


def _faults(name: str, en: Shown, cy: Shown) -> list[str]:
    """What is wrong with one page and its twin: language, twin links, axe, and any difference in what
    they are made of."""
    faults = []
    for s in (en, cy):
        if s.html_lang != HTML_LANG[s.lang] or s.content_language != HTML_LANG[s.lang]:
            faults.append(f"{name} ({s.lang}): <html lang={s.html_lang!r}>, Content-Language {s.content_language}")
        faults += [f"{name} ({s.lang}): {f}" for f in twin_faults(s)]
        if s.axe_violations:
            faults.append(f"{name} ({s.lang}): axe found {s.axe_violations} violations\n{s.axe_report}")
    if en.status != cy.status:
        faults.append(f"{name}: HTTP {en.status} in English, {cy.status} in Welsh")
    for part, english in en.structure.items():
        if cy.structure[part] != english:
            faults.append(f"{name}: its {part} differ\n  en: {english}\n  cy: {cy.structure[part]}")
    return faults


def test_every_page_in_welsh_has_the_same_links_forms_fields_and_buttons_as_in_english(browser, site):
    # English first, then Welsh: each a fresh visitor, so nothing one language's visit left behind
    # (a cookie, a session) carries into the other's.
    journeys = {lang: _intake_journey(browser, site, lang) + _tracker_journey(browser, site, lang)
                for lang in ("en", "cy")}
    en, cy = ({s.name: s for s in journeys[lang]} for lang in ("en", "cy"))
    assert list(en) == list(cy) and len(en) == 16, (list(en), list(cy))
    faults = [fault for name in en for fault in _faults(name, en[name], cy[name])]
    errors = vnu.check({f"{s.name} ({s.lang})": s.source for s in (*en.values(), *cy.values())})
    faults += [f"{name}: Nu Html Checker: {found}" for name, found in errors.items()]
    counts = {name: {part: len(items) for part, items in en[name].structure.items()} for name in en}
    print(f"\n{len(en)} pages in each language, compared: {counts}")
    assert not faults, "\n".join(faults)


@pytest.fixture
def panel(services, stack, uid, prefix):
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    today = london_today()
    publish_all(stack.bootstrap, prefix + "followthrough.recommendations",
                [agreed_event(uid, today + dt.timedelta(days=d)) for d in (-20, 10)])
    url = f"{tracker.url}/panels/panel-{uid}"
    wait_until(lambda: len(httpx.get(f"{tracker.url}/api/v1/commitments?panel=panel-{uid}").json()) == 2, timeout=60)
    return url


def test_the_welsh_panel_page_is_not_left_in_english(browser, panel):
    """The panel's name (its h1) is shown as written; the headings around it are fixed words, and in
    Welsh not one of them may still be the English."""
    heads = {}
    for lang in ("en", "cy"):
        page = _context(browser).new_page()
        heads[lang] = read(page, page.goto(with_lang(panel, lang)), "tracker panel page", lang).headings
        page.context.close()
    assert len(heads["en"]) == len(heads["cy"]) >= 3, heads
    assert heads["en"][0] == heads["cy"][0] == "", heads  # the h1 holds only the panel's own name
    untranslated = [h for h, w in zip(heads["en"][1:], heads["cy"][1:], strict=True) if h == w]
    assert not untranslated, f"the Welsh panel page still says {untranslated} in English"
