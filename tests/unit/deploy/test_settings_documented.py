"""Every setting a service reads, and every one contract §6 names, has exactly one
row in the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.tracker.settings import TrackerSettings

README = Path(__file__).resolve().parents[3] / "README.md"
SPEC_SETTINGS = {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "SMTP_HOST", "SMTP_PORT", "SMTP_USERNAME",
                 "SMTP_PASSWORD", "SMTP_FROM", "FOLLOWTHROUGH_SCAN_INTERVAL", "FOLLOWTHROUGH_POLICY_FILE",
                 "FOLLOWTHROUGH_PUBLIC_URL"}


def documented() -> list[str]:
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = []
    for row in section.splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell)
    return names


def read_by_services() -> set[str]:
    return {name.upper() for cls in (IntakeSettings, TrackerSettings, NotifierSettings) for name in cls.model_fields}


def test_every_setting_is_documented_exactly_once():
    names = documented()
    twice = {n for n in names if names.count(n) > 1}
    assert not twice, f"documented more than once: {sorted(twice)}"
    missing = (read_by_services() | SPEC_SETTINGS) - set(names)
    assert not missing, f"add a row to the README's Configuration table for {sorted(missing)}"


def test_the_table_names_nothing_the_services_do_not_read():
    assert set(documented()) - read_by_services() == set()
