"""The notifier against a real SMTP server, Kafka and PostgreSQL."""

from __future__ import annotations

import collections
import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests.support.notices import notice_event, publish_all

KINDS = [("reminder", 0), ("silent", 0), ("silent", 1), ("overdue", 1), ("escalation", 2), ("escalation", 3),
         ("dispute", 2), ("review", 0), ("response_due", 1), ("back_on_track", 2)]


def wait_for(smtp, count: int, timeout: float, where=lambda m: True) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = [m for m in smtp.snapshot() if where(m)]
        if len(got) >= count:
            return got
        time.sleep(0.2)
    return [m for m in smtp.snapshot() if where(m)]


def pairs(messages) -> collections.Counter:
    return collections.Counter((m.message["X-Followthrough-Notice"], r) for m in messages for r in m.envelope_to)


def test_each_notice_kind_arrives_as_text_and_escaped_html(services, stack, smtp, uid, topic):
    services("notifier")
    xss = "<script>alert('x')</script> more respect"
    events = [notice_event(uid, kind, level, recipients=[f"{kind}{level}-{uid}@example.org"], title=xss)
              for kind, level in KINDS]
    publish_all(stack.bootstrap, topic("followthrough.notices"), events)
    got = wait_for(smtp, len(KINDS), 20, where=lambda m: uid in m.envelope_to[0])
    assert len(got) == len(KINDS)
    for m in got:
        html, text = m.part("html"), m.part("plain")
        assert "&lt;script&gt;" in html and "<script>" not in html
        assert xss in text
        assert "Brief every officer" in text and "Because of" in text
        assert "<img" not in html  # no remote images
    reminder = next(m for m in got if m.envelope_to[0].startswith("reminder0"))
    (ics,) = [p for p in reminder.message.iter_attachments() if p.get_content_type() == "text/calendar"]
    cal = Calendar.from_ical(ics.get_content())
    assert cal.walk("VEVENT")[0]["DTSTART"].dt == dt.date.today() + dt.timedelta(days=3)
    review = next(m for m in got if m.envelope_to[0].startswith("review0"))
    assert "respond?token" not in review.part("plain")  # the owner's link is not for the board


def test_a_subject_with_line_breaks_is_delivered_on_one_line(services, stack, smtp, uid, topic):
    # A pasted title can carry any line break; each once made the render raise, and the
    # delivery stayed `sending`, re-claimed every lease, never sent and never failed.
    services("notifier")
    events = [notice_event(uid, title=f"Explain{br}every stop", recipients=[f"owner{i}-{uid}@example.org"])
              for i, br in enumerate(["\n", "\u2028", "\x85", "\r\n"])]
    publish_all(stack.bootstrap, topic("followthrough.notices"), events)
    got = wait_for(smtp, len(events), 20, where=lambda m: uid in m.envelope_to[0])
    assert len(got) == len(events)
    assert {m.message["Subject"] for m in got} == {"Overdue: Explain every stop"}


def test_the_same_notice_five_times_sends_one_email_per_recipient(services, stack, smtp, uid, topic):
    services("notifier")
    event = notice_event(uid)
    publish_all(stack.bootstrap, topic("followthrough.notices"), [event] * 5)
    wait_for(smtp, 2, 15, where=lambda m: uid in m.envelope_to[0])
    time.sleep(3)
    got = [m for m in smtp.snapshot() if uid in m.envelope_to[0]]
    assert sorted(r for m in got for r in m.envelope_to) == [f"owner-{uid}@example.org",
                                                             f"supervisor-{uid}@example.org"]


def test_smtp_down_for_60_seconds_loses_and_duplicates_nothing(services, stack, smtp, uid, topic):
    services("notifier", FOLLOWTHROUGH_DELIVERY_MAX_BACKOFF_SECONDS="3")
    smtp.stop()
    events = [notice_event(uid) for _ in range(20)]
    publish_all(stack.bootstrap, topic("followthrough.notices"), events)
    time.sleep(60)
    assert smtp.snapshot() == []
    smtp.start()
    got = wait_for(smtp, 40, 60)
    counts = pairs(got)
    assert len(counts) == 40 and set(counts.values()) == {1}


def test_two_notifiers_on_one_topic_and_database_send_no_duplicates(services, stack, smtp, uid, topic):
    services("notifier")
    services("notifier")
    events = [notice_event(uid) for _ in range(200)]
    publish_all(stack.bootstrap, topic("followthrough.notices"), events)
    wait_for(smtp, 400, 90)
    time.sleep(3)
    counts = pairs(smtp.snapshot())
    assert len(counts) == 400
    assert [k for k, v in counts.items() if v > 1] == []


def test_kill_9_at_random_points_over_500_notices(services, stack, smtp, uid, topic):
    rng = random.Random(11)
    # A 2 s lease is honest only if no send can outlast it: 0.5 s per SMTP command (the catcher
    # is on loopback) bounds a send at 1.5 s, and the notifier raises a lease shorter than 1.875 s.
    env = {"FOLLOWTHROUGH_DELIVERY_LEASE_SECONDS": "2", "SMTP_TIMEOUT": "0.5"}
    events = [notice_event(uid) for _ in range(500)]
    publish_all(stack.bootstrap, topic("followthrough.notices"), events)
    kills = 0
    while kills < 5:
        proc = services("notifier", **env)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.kill()
        kills += 1
    services("notifier", **env)
    wait_for(smtp, 1000, 120)
    time.sleep(4)
    messages = smtp.snapshot()
    counts = pairs(messages)
    expected = {(e["data"]["notice"]["id"], r) for e in events for r in e["data"]["notice"]["recipients"]}
    assert set(counts) == expected, f"missing {len(expected - set(counts))}"
    duplicates = {k: v for k, v in counts.items() if v > 1}
    by_pair = collections.defaultdict(set)
    for m in messages:
        for r in m.envelope_to:
            by_pair[(m.message["X-Followthrough-Notice"], r)].add(m.message_id)
    assert all(len(by_pair[k]) == 1 for k in duplicates), "a resend carried a different Message-ID"
    print(f"\n500 notices, {len(expected)} (notice, recipient) pairs, {kills} kill -9s: "
          f"lost 0, resent with the same Message-ID {sum(v - 1 for v in duplicates.values())}")
    # A resend can only follow a crash inside the SMTP exchange: at most the sends in flight per kill.
    assert sum(v - 1 for v in duplicates.values()) <= kills * 20


def test_reminders_wait_for_the_digest_and_escalations_do_not(services, stack, smtp, uid, topic):
    # The digest time is set before the notifier starts, and starting takes over 12 s on a loaded
    # machine: the margin must outlast the start, or the digest moves to tomorrow.
    at = (dt.datetime.now(ZoneInfo("Europe/London")) + dt.timedelta(seconds=30)).time().replace(microsecond=0)
    services("notifier", FOLLOWTHROUGH_DIGEST_AT=at.isoformat())
    owner = f"owner-{uid}@example.org"
    reminders = [notice_event(uid, "reminder", 0, recipients=[owner], title=f"Reminder {i}") for i in range(20)]
    escalation = notice_event(uid, "escalation", 2, recipients=[owner])
    publish_all(stack.bootstrap, topic("followthrough.notices"), reminders + [escalation])
    first = wait_for(smtp, 1, 8)
    assert [m.message["Subject"] for m in first] == [escalation["data"]["notice"]["subject"]]
    got = wait_for(smtp, 2, 45)
    assert len(got) == 2
    digest = got[1]
    assert digest.message["Subject"] == "Daily digest: 20 reminders from followthrough"
    assert all(f"Reminder {i}" in digest.part("plain") for i in range(20))
    time.sleep(2)
    assert len(smtp.snapshot()) == 2


def test_a_refused_recipient_is_given_up_as_notice_failed_and_the_tracker_hears_of_it(
        services, stack, smtp, uid, topic, database_url):
    import sqlalchemy as sa

    from services.common.db import make_engine

    services("notifier")
    services("tracker")
    event = notice_event(uid, recipients=[f"owner-{uid}@example.org", f"refused-{uid}@example.org"])
    publish_all(stack.bootstrap, topic("followthrough.notices"), [event])
    got = wait_for(smtp, 1, 15)
    assert [m.envelope_to for m in got] == [(f"owner-{uid}@example.org",)]
    from tests.support.topics import read
    results = read(stack.bootstrap, topic("followthrough.deliveries"), until=lambda f: len(f) >= 2, timeout=15)
    by_type = {e["type"]: e["data"] for e in results}
    assert by_type["notice.delivered"]["recipient"] == f"owner-{uid}@example.org"
    assert by_type["notice.failed"]["recipient"] == f"refused-{uid}@example.org"
    assert "refused" in by_type["notice.failed"]["error"]
    engine = make_engine(database_url)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT recipient FROM tracker_delivery_failures")).scalars().all()
        if rows:
            break
        time.sleep(0.3)
    assert rows == [f"refused-{uid}@example.org"]


def test_an_email_still_failing_when_the_next_step_is_due_is_given_up(services, stack, smtp, uid, topic):
    import datetime as dt

    from tests.support.topics import read

    services("notifier", FOLLOWTHROUGH_DELIVERY_MAX_BACKOFF_SECONDS="1")
    smtp.stop()
    event = notice_event(uid, recipients=[f"owner-{uid}@example.org"])
    # The ladder's next step falls due a few seconds from now; the mail server stays down past it.
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=4)).isoformat()
    event["data"]["notice"]["give_up_after"] = soon
    publish_all(stack.bootstrap, topic("followthrough.notices"), [event])
    results = read(stack.bootstrap, topic("followthrough.deliveries"), until=lambda f: len(f) >= 1, timeout=30)
    assert [(e["type"], e["data"]["recipient"]) for e in results] == [("notice.failed", f"owner-{uid}@example.org")]
    assert results[0]["data"]["attempts"] >= 2
    smtp.start()
    time.sleep(3)
    assert smtp.snapshot() == []  # given up means not sent later
