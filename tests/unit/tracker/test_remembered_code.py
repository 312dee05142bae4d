"""The panel's code remembered on a device (web/remember.py), in process on SQLite: the cookie's
flags and scope, "forget the code on this device", and cookies that must vouch for nothing
(forged, another panel's, another panel's promise). The real tracker: tests/integration/tracker/
test_access_codes.py."""

from __future__ import annotations

import re

import pytest
from fastapi import Response

from services.common.clock import SYSTEM
from services.tracker.web.remember import RememberedCodes
from tests.support.events import panel_code, panel_event
from tests.unit.tracker.test_panel_pages import SLUG, UID, World


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.tracker.engine.dispose()


def _pulse(world: World, code: str | None, slug: str = SLUG):
    page = world.client.get(f"/panels/{slug}").text
    form = {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1), "trust": "4", "kept": "yes"}
    if code is not None:
        form["access_code"] = code
    return world.client.post(f"/panels/{slug}/pulse", data=form, follow_redirects=False)


def _forget_the_pulse_answer(world: World) -> None:
    for cookie in [c for c in world.client.cookies.jar if c.name == "ft_pulse"]:
        world.client.cookies.delete(cookie.name, domain=cookie.domain, path=cookie.path)


def test_the_cookie_is_httponly_lax_for_the_panels_pages_only_and_secure_on_https():
    for url, name, secure in (("https://followthrough.example.org", "__Secure-ft_code", True),
                              ("http://127.0.0.1:8002", "ft_code", False)):
        response = Response()
        RememberedCodes("k" * 40, SYSTEM, url).keep(response, "panel-a", "$scrypt$ln=14,r=8,p=1$c2FsdA$a2V5")
        header = response.headers["set-cookie"]
        assert header.startswith(f"{name}=") and "HttpOnly" in header and "SameSite=lax" in header, header
        assert "Path=/panels/panel-a;" in header and ("Secure" in header) == secure, header
        assert "scrypt" not in header and "c2FsdA" not in header  # not even the verifier travels


def test_the_device_forgets_the_code_when_asked_and_the_forms_ask_for_it_again(world):
    assert _pulse(world, f"  {panel_code(UID)} ").status_code == 303
    page = world.client.get(f"/panels/{SLUG}").text
    assert "Not you? Forget the code on this device" in page and 'name="access_code"' not in page
    _forget_the_pulse_answer(world)  # a browser answers once a month; the code is what is remembered here
    assert _pulse(world, None).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = world.client.post(f"/panels/{SLUG}/forget-code", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and 'ft_code=""' in r.headers["set-cookie"]
    page = world.client.get(r.headers["location"]).text
    assert "This device has forgotten your panel" in page and 'name="access_code"' in page
    r = _pulse(world, None)
    assert r.status_code == 422 and "The access code" in r.text


def test_a_forged_cookie_or_another_panels_vouches_for_nothing(world):
    world.feed(panel_event("other"))
    assert _pulse(world, panel_code("other"), slug="panel-other").status_code == 303
    theirs = next(c for c in world.client.cookies.jar if c.name == "ft_code")
    world.client.cookies.clear()
    world.client.cookies.set("ft_code", theirs.value, path=f"/panels/{SLUG}")  # panel-other's, copied here
    assert 'name="access_code"' in world.client.get(f"/panels/{SLUG}").text
    r = _pulse(world, None)
    assert r.status_code == 422 and "has since changed" in r.text
    world.client.cookies.clear()
    world.client.cookies.set("ft_code", "made-up.value.here", path=f"/panels/{SLUG}")
    assert 'name="access_code"' in world.client.get(f"/panels/{SLUG}").text


def test_a_promise_of_another_panel_is_not_answered_from_this_panels_page(world):
    world.feed(panel_event("other"))
    cid = world.agree(10)  # a promise to panel-unitpages
    world.finish(cid, "Officers briefed")
    page = world.client.get("/panels/panel-other").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = world.client.post(f"/panels/panel-other/commitments/{cid}/verdict", follow_redirects=False,
                          data={"csrf": csrf, "verdict": "confirmed", "access_code": panel_code(UID)})
    assert r.status_code == 404 and "This promise is not on this panel" in r.text
    assert "set-cookie" not in r.headers or "ft_code" not in r.headers["set-cookie"]


def test_the_session_pack_has_a_line_to_write_the_code_on_and_never_prints_it(world):
    assert _pulse(world, panel_code(UID)).status_code == 303  # even on a device that remembers it
    pack = world.client.get(f"/panels/{SLUG}/session").text
    assert "Its access code (capital or small letters, both fine): ____________" in pack
    assert panel_code(UID) not in pack
