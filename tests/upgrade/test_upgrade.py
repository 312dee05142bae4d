"""Upgrades that keep every promise. Each earlier release marked `upgrade_from` in
deploy/releases.toml is installed from git into a virtualenv of its own; its three services run
a story (tests/upgrade/story.py) on a fresh PostgreSQL database, topics of their own on the
broker and a real SMTP server, until every email has gone; then they are stopped (SIGTERM), a
backup is taken with pg_dump, and this checkout's services start on the same database and
topics (each migrates at start). Checked:

- nothing lost: every row of every table holding a commitment, its timeline, a notice, a
  delivery, a reply or a pulse is there as it was, and each commitment's hash chain verifies;
- nobody told twice: no email after the upgrade until something new happens, and no
  Message-ID ever twice;
- every credential still works: the admin's, facilitator's and owner's tokens, and each
  panel's access code as given at registration;
- the story carries on: a new lapse escalates, the pending recommendation's response clock
  takes its next step on its day (the scan run as of that day), the done one can be confirmed;
- the backup restores: into a fresh database, the same to the byte as before the upgrade, and
  the earlier release starts on it and serves every commitment.

One run from each release takes about a minute and a half here, most of it pip (cached) and
the services starting."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
import sqlalchemy as sa

from services.common.clock import LONDON, london_today
from services.common.topics import ensure_topics
from tests.support.procs import wait_until
from tests.support.releases import install, releases
from tests.support.services import ServiceProcess
from tests.support.stack import REPO
from tests.upgrade import backup, rows
from tests.upgrade.story import REPLIES_AND_PULSE, Story, play

pytestmark = [pytest.mark.stack, pytest.mark.upgrade]
LOGS = REPO / "test-artifacts" / "logs"
SERVICES = ("intake", "tracker", "notifier")


@contextmanager
def running(env: dict[str, str], command: list[str] | None = None, names=SERVICES):
    """The services `names` of a release (`command`: its CLI; default this checkout), stopped with
    SIGTERM on the way out."""
    LOGS.mkdir(parents=True, exist_ok=True)
    procs = {name: ServiceProcess(name, env, LOGS, command=command) for name in names}
    try:
        with ThreadPoolExecutor(len(procs)) as pool:  # together, as an operator's supervisor starts them
            for started in [pool.submit(p.start, 120) for p in procs.values()]:
                started.result()
        yield procs
    finally:
        for proc in procs.values():
            proc.stop()


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def _settle(engine: sa.Engine, smtp, timeout: float = 120) -> None:
    """Until every service has finished what it was asked (rows.settled), twice a scan and a half apart."""
    why = []

    def quiet() -> bool:
        why[:] = [rows.settled(engine, len(smtp.snapshot()))]
        if why[0] is None:
            time.sleep(1.5)
            why[:] = [rows.settled(engine, len(smtp.snapshot()))]
        return why[0] is None

    try:
        wait_until(quiet, timeout=timeout)
    except AssertionError:
        raise AssertionError(f"not settled in {timeout} s: {why[0]}") from None


def _scans(tracker: ServiceProcess) -> float:
    found = re.search(r"^followthrough_scan_duration_seconds_count (\S+)$", httpx.get(f"{tracker.url}/metrics").text,
                      re.M)
    return float(found.group(1)) if found else 0.0


def _audits(tracker_url: str, ids: list[str]) -> dict[str, dict]:
    return {cid: httpx.get(f"{tracker_url}/api/v1/commitments/{cid}/audit").json() for cid in ids}


def _notice_ids(engine: sa.Engine, where: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(f"SELECT id FROM tracker_notices WHERE {where}")).scalars())


@pytest.mark.parametrize("release", [r for r in releases() if r.upgrade_from], ids=lambda r: r.version)
def test_an_upgrade_keeps_every_promise(release, stack, smtp, service_env, uid, tmp_path, capsys):
    began = time.monotonic()
    laps: dict[str, float] = {}

    def lap(name: str) -> None:
        laps[name] = time.monotonic() - began - sum(laps.values())

    old = install(release, tmp_path / release.version)
    lap("install")
    url = service_env["DATABASE_URL"]
    db = _engine(url)
    cli_env = {**os.environ, **service_env}

    # The earlier release lives through the story, until every email it decided has gone.
    with running(service_env, old.command) as svc:
        story = play(old, svc["intake"].url, svc["tracker"].url, cli_env, uid)
        told = [f"commitment_id = '{c}'" for c in story.late]
        if release.number >= REPLIES_AND_PULSE:
            told.append(f"recommendation_id = '{story.pending}' AND key = 'response_due:1'")
        wait_until(lambda: all(_notice_ids(db, where) for where in told), timeout=60)
        _settle(db, smtp)
    lap("old release's story")
    before = rows.snapshot(db)
    told_before = smtp.snapshot()
    commitment_ids = sorted(json_col(before, "tracker_commitments", "id"))
    audits_before = _audits_from_rows(before)

    # The backup an operator takes before upgrading.
    dump = tmp_path / "before-upgrade.dump"
    backup.back_up(url, dump)
    as_it_was = _plain(url)

    with running(service_env) as new:
        # The new release migrated at start and has scanned: nothing lost, nobody told again.
        first = _scans(new["tracker"])
        wait_until(lambda: _scans(new["tracker"]) >= first + 2, timeout=60)
        _settle(db, smtp)
        assert rows.lost(before, rows.snapshot(db)) == []
        audits = _audits(new["tracker"].url, commitment_ids)
        assert {cid: (a["intact"], a["entries"]) for cid, a in audits.items()} == audits_before
        told_after_upgrade = smtp.snapshot()
        assert [m.message_id for m in told_after_upgrade] == [m.message_id for m in told_before], \
            "the new release sent email before anything new happened"

        lap("upgrade")

        # Every token still works, and a new lapse escalates.
        intake, tracker = new["intake"].url, new["tracker"].url
        bearer = {who: {"Authorization": f"Bearer {token}"} for who, token in story.tokens.items()}
        today = london_today()
        lapse = httpx.post(f"{intake}/api/v1/recommendations", headers=bearer["admin"],
                           json=story.agreed(story.panel_b, "Answer our letters", today - dt.timedelta(days=4)))
        assert lapse.status_code == 201, lapse.text
        later = httpx.post(f"{intake}/api/v1/recommendations", headers=bearer["facilitator"],
                           json=story.agreed(story.panel_a, "Visit our youth club", today + dt.timedelta(days=120)))
        assert later.status_code == 201, later.text
        progress = httpx.post(f"{tracker}/api/v1/commitments/{story.future}/updates", headers=bearer["owner"],
                              json={"note": "The first session is booked.", "percent": 20})
        assert progress.status_code == 200, progress.text
        new_lapse = lapse.json()["commitment_id"]
        wait_until(lambda: _notice_ids(db, f"commitment_id = '{new_lapse}'"), timeout=60)
        _settle(db, smtp)

        # The pending recommendation's response clock takes its next step on its day.
        step, audience = _escalate_pending(service_env, db, story)
        _settle(db, smtp)
        step_mail = [m for m in smtp.snapshot() if m.message["X-Followthrough-Notice"] == step]
        assert sorted(r for m in step_mail for r in m.envelope_to) == audience
        assert f"supervisor-{story.panel_a}@example.org" in audience

        lap("story carried on")

        # The backup restores byte for byte, and the earlier release starts on it.
        restored = _restore_and_start_old(old, dump, as_it_was, stack, service_env, uid, commitment_ids,
                                           audits_before)

        lap("restore")

        # Each panel's access code, as given at registration: the done one is confirmed, pulses counted.
        code_a, code_b = story.panels[story.panel_a], story.panels[story.panel_b]
        answers = {
            "verdict (panel A)": httpx.post(f"{tracker}/api/v1/commitments/{story.done}/verdict",
                                            json={"verdict": "confirmed", "access_code": code_a}),
            "pulse (panel A)": httpx.post(f"{tracker}/api/v1/panels/{story.panel_a}/pulse",
                                          json={"access_code": code_a, "trust": 4, "kept": "yes"}),
            "pulse (panel B)": httpx.post(f"{tracker}/api/v1/panels/{story.panel_b}/pulse",
                                          json={"access_code": code_b, "trust": 2, "kept": "no"}),
        }
        emails = smtp.snapshot()
        assert len({m.message_id for m in emails}) == len(emails), "an email went twice"
        with capsys.disabled():
            print(f"\nupgrade {release.version} ({release.commit[:7]}) -> this checkout: "
                  f"{len(commitment_ids)} commitments and {sum(a['entries'] for a in audits.values())} timeline "
                  f"entries kept ({sum(len(t['rows']) for t in before.values())} rows in {len(before)} tables), "
                  f"{len(told_before)} emails before the upgrade, 0 after it until something new, "
                  f"{len(emails)} in all ({len({m.message_id for m in emails})} distinct Message-IDs); "
                  f"credentials checked: 5, the admin's, facilitator's and owner's tokens and 2 panel access codes ("
                  + ", ".join(f"{k}: {r.status_code}" for k, r in answers.items())
                  + f"); restore: {restored} commitments served by {release.version}; "
                  f"{time.monotonic() - began:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in laps.items()) + ")")
        for what, answer in answers.items():
            assert answer.status_code in (200, 201), f"{what}: {answer.status_code} {answer.text}"
        kept = httpx.get(f"{tracker}/api/v1/commitments/{story.done}").json()
        assert kept["status"] == "kept"
        _settle(db, smtp)
        emails = smtp.snapshot()
        assert len({m.message_id for m in emails}) == len(emails), "an email went twice"
        if release.number >= REPLIES_AND_PULSE:
            insisted = httpx.get(f"{tracker}/api/v1/recommendations/{story.insisted}").json()
            assert [r["reply"] for r in insisted["replies"]] == ["insist"] and insisted["decision"] == "pending"


def json_col(snap: rows.Snapshot, table: str, column: str) -> list:
    return [json.loads(r)[column] for r in snap[table]["rows"]]


def _audits_from_rows(snap: rows.Snapshot) -> dict[str, tuple[bool, int]]:
    """What each commitment's audit must say after the upgrade: intact, with every entry it had."""
    entries = Counter(json_col(snap, "tracker_timeline", "commitment_id"))
    return {cid: (True, entries[cid]) for cid in json_col(snap, "tracker_commitments", "id")}


def _plain(url: str) -> str:
    """pg_dump's SQL text of the database, with the rows of each table in sorted order (a table's
    rows come in the order they lie on disk, which a restore need not keep) and without its
    per-run `\\restrict` key lines, so two dumps of the same data compare equal."""
    out, rows_of_table = [], None
    for line in backup.plain(url).splitlines():
        if line.startswith(("\\restrict", "\\unrestrict")):
            continue
        if rows_of_table is not None and line != "\\.":
            rows_of_table.append(line)
            continue
        if rows_of_table is not None:
            out += sorted(rows_of_table)
            rows_of_table = None
        out.append(line)
        if line.startswith("COPY ") and line.endswith("FROM stdin;"):
            rows_of_table = []
    return "\n".join(out)


def _escalate_pending(service_env: dict[str, str], db: sa.Engine, story: Story) -> tuple[str, list[str]]:
    """Run this release's scan as of each day the pending recommendation is next looked at (as the
    scan stores it), until its response clock takes a step; the running tracker relays what it
    decides. The step's notice id and who it tells."""
    from services.tracker.bootstrap import bootstrap
    from services.tracker.settings import TrackerSettings

    settings = TrackerSettings(database_url=service_env["DATABASE_URL"],
                               followthrough_topic_prefix=service_env["FOLLOWTHROUGH_TOPIC_PREFIX"],
                               kafka_bootstrap_servers=service_env["KAFKA_BOOTSTRAP_SERVERS"])
    pending = f"recommendation_id = '{story.pending}' AND kind = 'response_due'"
    earlier, new = set(_notice_ids(db, pending)), set()
    tracker = bootstrap(settings, run_migrations=False)
    try:
        for _ in range(5):  # a scan a day, on the days it asks to be woken
            with db.connect() as conn:
                day = conn.execute(sa.text("SELECT next_action_on FROM tracker_recommendations WHERE id = :id"),
                                   {"id": story.pending}).scalar_one()
            assert day is not None and day > london_today(), "the pending recommendation's clock stopped"
            tracker.scanner.run(now=dt.datetime.combine(day, dt.time(10), LONDON))
            new = set(_notice_ids(db, pending)) - earlier
            if new:
                break
    finally:
        tracker.engine.dispose()
    (step,) = new
    with db.connect() as conn:
        recipients = conn.execute(sa.text("SELECT recipients FROM tracker_notices WHERE id = :id"),
                                  {"id": step}).scalar_one()
    return step, sorted(recipients)


def _restore_and_start_old(old, dump, as_it_was: str, stack, service_env, uid, commitment_ids, audits_before) -> int:
    """Restore the pre-upgrade backup into a fresh database; it must be what the database was before
    the upgrade, and the earlier release's tracker (on topics of its own, so it reads nothing of
    the live run) must start on it and serve every commitment with its chain intact."""
    url = stack.new_database()
    backup.restore(dump, url)
    assert _plain(url) == as_it_was, "the restored database differs from the one backed up"
    prefix = f"r{uid}."
    ensure_topics(stack.bootstrap, prefix=prefix)
    env = {**service_env, "DATABASE_URL": url, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix}
    with running(env, old.command, names=("tracker",)) as back:
        served = httpx.get(f"{back['tracker'].url}/api/v1/commitments", params={"limit": 500}).json()
        assert sorted(c["id"] for c in served) == commitment_ids
        audits = _audits(back["tracker"].url, commitment_ids)
        assert {cid: (a["intact"], a["entries"]) for cid, a in audits.items()} == audits_before
    return len(served)
