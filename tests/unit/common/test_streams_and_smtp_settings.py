"""faust's leader topic is off (followthrough never declares it, so it was only a warning every
5 s); intake and the notifier read the same SMTP settings."""

from __future__ import annotations

from services.common.streams import make_faust_app
from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings


def test_faust_uses_no_leader_topic():
    app = make_faust_app("tracker", "127.0.0.1:9", prefix="t.")
    assert app.conf.topic_disable_leader is True


def test_intake_and_notifier_read_the_same_smtp_variables(monkeypatch):
    env = {"SMTP_HOST": "mail.example.org", "SMTP_PORT": "2525", "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p",
           "SMTP_FROM": "followthrough <ft@example.org>", "SMTP_STARTTLS": "true", "SMTP_TIMEOUT": "7"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    intake, notifier = IntakeSettings(), NotifierSettings()
    for name in env:
        assert getattr(intake, name.lower()) == getattr(notifier, name.lower()), name
    assert intake.smtp_port == 2525 and intake.smtp_starttls is True and notifier.smtp_connections == 4
