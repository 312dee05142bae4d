"""Email in the reader's language through the real SMTP server (docs/contract.md §8.4)."""

from __future__ import annotations

from tests.integration.notifier.test_delivery import wait_for
from tests.support.notices import notice_event, publish_all


def test_a_welsh_owner_gets_welsh_and_an_unknown_supervisor_both_under_the_standards(services, stack, smtp, uid,
                                                                                      topic):
    services("notifier", FOLLOWTHROUGH_WELSH_STANDARDS="true")
    owner, supervisor = f"owner-{uid}@example.org", f"supervisor-{uid}@example.org"
    event = notice_event(uid, "overdue", 1, recipients=[owner, supervisor])
    event["data"]["notice"]["languages"] = {owner: "cy"}
    publish_all(stack.bootstrap, topic("followthrough.notices"), [event])
    got = {m.envelope_to[0]: m for m in wait_for(smtp, 2, 20, where=lambda m: uid in m.envelope_to[0])}
    assert set(got) == {owner, supervisor}
    welsh, both = got[owner], got[supervisor]
    days = event["data"]["notice"]["facts"]["days_overdue"]
    assert welsh.message["Content-Language"] == "cy"
    assert welsh.message["Subject"] == f"{days} diwrnod yn hwyr: Explain every stop"
    text = welsh.part("plain")
    assert "Beth wnaeth y bobl ifanc ei argymell" in text and f"{days} diwrnod yn hwyr." in text
    assert "Because of overdue" not in text and "What the young people recommended" not in text
    assert '<html lang="cy">' in welsh.part("html") and "Gweld tudalen y panel ieuenctid" in welsh.part("html")
    assert both.message["Content-Language"] == "cy, en-GB"
    assert both.message["Subject"] == f"{days} diwrnod yn hwyr: Explain every stop / Overdue: Explain every stop"
    bilingual = both.part("plain")
    assert bilingual.index("Beth wnaeth y bobl ifanc") < bilingual.index("Because of overdue at level 1.")
