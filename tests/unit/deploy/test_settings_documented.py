"""Every setting a service reads, and every one contract §6 names, has exactly one row in the
settings table of docs/contract.md (generated from the settings classes by `make docs`)."""

from __future__ import annotations

import re

from devtools.contractdocs.markers import CONTRACT, parts
from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.tracker.settings import TrackerSettings
from services.webhooks.settings import WebhooksSettings

# The settings contract §6 promises by name: they must stay, whatever the classes do.
PUBLIC_SETTINGS = {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME",
                   "SMTP_PASSWORD", "SMTP_FROM", "FOLLOWTHROUGH_SCAN_INTERVAL", "FOLLOWTHROUGH_POLICY_FILE",
                   "FOLLOWTHROUGH_PUBLIC_URL", "FOLLOWTHROUGH_SECRET_KEY", "KAFKA_REPLICATION_FACTOR"}


def documented() -> list[str]:
    table = parts(CONTRACT.read_text())["settings"]
    names = []
    for row in table.splitlines():
        if row.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    return names


def read_by_services() -> set[str]:
    return {name.upper() for cls in (IntakeSettings, TrackerSettings, NotifierSettings,
                                                   WebhooksSettings) for name in cls.model_fields}


def rows() -> dict[str, str]:
    table = parts(CONTRACT.read_text())["settings"]
    return {re.findall(r"`([A-Z][A-Z0-9_]+)`", r.split("|")[1])[0]: r for r in table.splitlines()
            if r.startswith("| `")}


def test_every_setting_is_documented_exactly_once():
    names = documented()
    twice = {n for n in names if names.count(n) > 1}
    assert not twice, f"documented more than once: {sorted(twice)}"
    missing = (read_by_services() | PUBLIC_SETTINGS) - set(names)
    assert not missing, f"run `make docs`: docs/contract.md §6 has no row for {sorted(missing)}"


def test_the_table_names_nothing_the_services_do_not_read():
    assert set(documented()) - read_by_services() == set()


def test_every_setting_says_what_it_does():
    unexplained = [name for name, row in rows().items() if not re.split(r"(?<!\\)\|", row)[-2].strip()]
    assert not unexplained, ("give these a `description` in their settings class, or words in "
                             f"devtools/contractdocs/meanings.py: {unexplained}")
