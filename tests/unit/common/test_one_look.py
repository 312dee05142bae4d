"""One look (issue 25, item 6): the tracker's and the intake's pages extend one base template with one
stylesheet (services/common/templates), each with its own header link and footer line."""

from __future__ import annotations

from pathlib import Path

from services.common.pagetemplates import SHARED, page_templates
from services.intake.web.views import templates as intake_templates
from services.tracker.web.look import templates as tracker_templates

SERVICES = Path(__file__).resolve().parents[3] / "services"


def _render(templates, name: str, **context) -> str:
    return templates.get_template(name).render(context)


def test_both_services_pages_carry_the_one_stylesheet_whole():
    css = (SHARED / "followthrough.css").read_text()
    tracker = _render(tracker_templates, "message.html", heading="Hello", text="Some text")
    intake = _render(intake_templates, "message.html", heading="Hello", text="Some text")
    for html in (tracker, intake):
        assert f"<style>\n{css}</style>" in html
        assert html.startswith("<!doctype html>\n<html lang=\"en-GB\">")
        assert '<main id="main">' in html


def test_each_service_keeps_its_own_header_link_and_footer_line():
    tracker = _render(tracker_templates, "message.html", heading="Hello", text="Some text")
    intake = _render(intake_templates, "message.html", heading="Hello", text="Some text")
    assert '<a href="/register">followthrough</a>' in tracker
    assert "<footer><p>This page shows no one's name or contact details.</p></footer>" in tracker
    assert "/register" not in intake and "<p>followthrough: keeping" in intake
    assert "<footer><p>Never write a young person's name or contact details here.</p></footer>" in intake


def test_there_is_one_base_template_and_no_other_stylesheet(tmp_path):
    bases = sorted(p.relative_to(SERVICES).as_posix() for p in SERVICES.rglob("base.html"))
    assert bases == ["common/templates/base.html"]
    inline = [p for p in SERVICES.rglob("*.html") if "<style" in p.read_text() and p.parent.name == "templates"
              and "notifier" not in p.parts]  # e-mails carry their own inline styles: mail clients need them
    # The session pack adds its own print layout (one A4 sheet) on top of the shared sheet, for that page only;
    # so does the scrutiny report (A4 pages, its charts and wide tables).
    assert sorted(p.relative_to(SERVICES).as_posix() for p in inline) == [
        "common/templates/base.html", "tracker/web/templates/report.html", "tracker/web/templates/session.html"]
    own = tmp_path / "own"
    own.mkdir()
    (own / "base.html").write_text("mine")
    assert page_templates(own, home=None, footer_note="x").get_template("base.html").render() == "mine"
