"""The demo's force sign-in: its three example staff are people of the example (an owner, a
supervisor, a board member), and without node or the npm package the demo says why it is off."""

from __future__ import annotations

import datetime as dt
import json

from devtools.demo import load, staff
from devtools.demo.example import PANELS, recommendations


def test_the_example_staff_are_an_owner_a_supervisor_and_a_board_member_of_the_example():
    owners = {r["commitment"]["owner"]["email"] for r in recommendations(dt.date(2026, 1, 1)) if "commitment" in r}
    supervisors = {p["escalation"]["supervisor"] for p in PANELS}
    boards = {p["escalation"]["board"] for p in PANELS}
    emails = [email for _, email, _ in staff.ACCOUNTS]
    assert emails[0] in owners and emails[1] in supervisors and emails[2] in boards


def test_the_accounts_file_gives_each_a_verified_address_in_the_allowed_tenant(tmp_path):
    accounts = json.loads(staff.write_accounts(tmp_path).read_text())
    assert [a["id"] for a in accounts] == ["inspector", "superintendent", "board"]
    assert all(a["email_verified"] and a["tid"] == staff.TENANT for a in accounts)
    assert staff.service_env(8004)["FOLLOWTHROUGH_OIDC_ALLOWED_TENANTS"] == staff.TENANT


def test_without_node_the_force_signin_is_off_and_says_so(monkeypatch):
    monkeypatch.setattr(staff.shutil, "which", lambda name: None)
    assert staff.unavailable() == "node is not installed"


def test_without_the_npm_package_the_force_signin_is_off_and_names_it(monkeypatch, tmp_path):
    monkeypatch.setattr(staff, "PROVIDER", tmp_path)
    assert "oidc-provider is missing" in staff.unavailable()


def test_the_demo_prints_why_the_force_signin_is_off(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_FORCE_SIGNIN_OFF", "node is not installed")
    load.force_signin()
    assert "The force sign-in is off: node is not installed. Staff use the email link." in capsys.readouterr().out


def test_the_command_runs_the_provider_on_its_port_for_both_services(tmp_path):
    argv = staff.command(8104, tmp_path / "a.json", ["http://127.0.0.1:8101", "http://127.0.0.1:8102"]).argv
    assert argv[1].endswith("tests/support/oidc/provider.mjs") and argv[argv.index("--port") + 1] == "8104"
    assert [argv[i + 1] for i, a in enumerate(argv) if a == "--redirect-uri"] == [
        "http://127.0.0.1:8101/signin/callback", "http://127.0.0.1:8102/signin/callback"]
