"""The `followthrough` command as facilitators and operators use it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import sqlalchemy as sa

from schemas import parse_event
from schemas.policy import load_policy_file
from services.common import accesscode
from services.common.db import make_engine
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import migrate
from services.tracker.usecases.ingest import Handlers
from tests.support.api import issue_token
from tests.support.events import agreed_event
from tests.support.stack import REPO
from tests.support.topics import read


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_panel_create_and_csv_import(services, database_url, tmp_path):
    intake = services("intake")
    env = {"FOLLOWTHROUGH_INTAKE_URL": intake.url, "FOLLOWTHROUGH_TOKEN": issue_token(database_url)}
    r = cli("panel", "create", "--slug", "mentoring-cohort", "--name", "Mentoring cohort", "--area", "North East",
            "--lead-role", "Inspector", "--lead-email", "lead@example.org", "--supervisor", "s@example.org",
            "--senior-lead", "l@example.org", "--board", "b@example.org", env=env)
    assert r.returncode == 0, r.stderr
    code = r.stdout.strip().splitlines()[-1]  # the access code, alone on the last line
    with make_engine(database_url).connect() as conn:
        kept = conn.execute(sa.text("SELECT access_code_sha256 FROM intake_panels WHERE slug = 'mentoring-cohort'"))
        assert accesscode.matches(code, kept.scalar())  # its salted hash, never the code

    r = cli("import", str(REPO / "docs" / "recommendations-template.csv"), env=env)
    assert r.returncode == 0, r.stderr
    assert "imported 3 recommendations" in r.stdout

    database = {"DATABASE_URL": database_url}  # set-language, like rotate-code, works on intake's database
    r = cli("panel", "set-language", "mentoring-cohort", "cy", env=database)
    assert r.returncode == 0, r.stderr
    assert cli("panel", "set-language", "mentoring-cohort", "fr", env=database).stderr.startswith("language: ")
    with make_engine(database_url).connect() as conn:
        assert conn.execute(sa.text("SELECT language FROM intake_panels WHERE slug = 'mentoring-cohort'")).scalar() \
            == "cy"
        payloads = conn.execute(sa.text("SELECT payload FROM intake_outbox WHERE key = 'mentoring-cohort'")).scalars()
        told = [e for e in map(json.loads, payloads)
                if e["type"] == "panel.updated" and e["data"]["panel"]["language"] == "cy"]
        assert told, "no panel.updated told the tracker the panel's new language"

    bad = tmp_path / "bad.csv"
    lines = (REPO / "docs" / "recommendations-template.csv").read_text().splitlines()
    bad.write_text("\n".join([lines[0], lines[1].replace("inspector.response@example.org", "nobody"), lines[2]]) + "\n")
    r = cli("import", str(bad), env=env)
    assert r.returncode == 1
    assert "row 2: commitment.owner.email" in r.stderr and "Nothing was imported" in r.stderr


def test_scan_runs_one_pass_and_publishes_what_it_decided(stack, database_url, uid, prefix, topic):
    engine = make_engine(database_url)
    migrate(engine)
    event = agreed_event(uid, dt.date.today() - dt.timedelta(days=3))
    Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(event).encode()))
    env = {"DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap,
           "FOLLOWTHROUGH_TOPIC_PREFIX": prefix}
    r = cli("scan", env=env)
    assert r.returncode == 0, r.stderr
    assert "decided 1 notices" in r.stdout
    notices = read(stack.bootstrap, topic("followthrough.notices"), until=lambda f: len(f) >= 1)
    assert [(n["data"]["notice"]["kind"], n["data"]["notice"]["commitment_id"]) for n in notices] == [
        ("overdue", event["data"]["commitment"]["id"])]
    assert "decided 0 notices" in cli("scan", env=env).stdout


def test_a_facilitator_token_names_its_panel_or_says_all_panels(database_url):
    env = {"DATABASE_URL": database_url}
    r = cli("token", "issue", "--role", "facilitator", "--email", "f@example.org", env=env)
    assert r.returncode == 2, f"a facilitator token without --panel was issued: {r.stdout.strip()}"
    assert "--panel" in r.stderr and "--all-panels" in r.stderr
    r = cli("token", "issue", "--role", "facilitator", "--email", "f@example.org", "--all-panels", env=env)
    assert r.returncode == 0, r.stderr
    assert "for every panel" in r.stdout.splitlines()[0]
    listed = cli("token", "list", env=env).stdout
    token_id = r.stdout.strip().splitlines()[-1].split("_")[1]
    (row,) = [line for line in listed.splitlines() if line.startswith(token_id)]
    assert " (all) " in row
    r = cli("token", "issue", "--role", "facilitator", "--email", "f@example.org", "--panel", "p1",
            "--all-panels", env=env)
    assert r.returncode == 2 and "not both" in r.stderr
