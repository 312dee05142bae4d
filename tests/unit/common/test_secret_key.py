"""The signing key: a service whose public URL others reach refuses a weak one."""

from __future__ import annotations

import pytest

from services.common.settings import (
    DEV_SECRET_KEY,
    CommonSettings,
    InsecureSecretKey,
    is_loopback_url,
    require_strong_secret_key,
)

PUBLIC = "https://followthrough.example.org"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8002", "http://127.1.2.3", "http://localhost:8002/",
                                 "http://LOCALHOST", "http://[::1]:8002"])
def test_loopback_urls(url):
    assert is_loopback_url(url)


@pytest.mark.parametrize("url", [PUBLIC, "http://10.0.0.5:8002", "http://0.0.0.0:8002", "http://localhost.example.org",
                                 "http://127.0.0.1.example.org", "http://[::2]", "not a url"])
def test_public_urls(url):
    assert not is_loopback_url(url)


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "x" * 31, "CHANGE-ME-to-a-long-random-string-please"])
def test_a_weak_key_on_a_public_url_is_refused_with_the_setting_and_the_fix(key):
    settings = CommonSettings(followthrough_public_url=PUBLIC, followthrough_secret_key=key)
    with pytest.raises(InsecureSecretKey) as refused:
        require_strong_secret_key(settings)
    message = str(refused.value)
    assert "FOLLOWTHROUGH_SECRET_KEY" in message and "token_urlsafe" in message and PUBLIC in message
    assert key not in message


def test_the_development_key_is_the_default_and_fine_on_loopback():
    settings = CommonSettings()
    assert settings.followthrough_secret_key.get_secret_value() == DEV_SECRET_KEY
    require_strong_secret_key(settings)
    require_strong_secret_key(CommonSettings(followthrough_public_url="http://localhost:9000"))


def test_a_long_random_key_is_accepted_anywhere():
    require_strong_secret_key(CommonSettings(followthrough_public_url=PUBLIC, followthrough_secret_key="r" * 32))


def test_every_service_reads_the_key(monkeypatch):
    from services.intake.settings import IntakeSettings
    from services.notifier.settings import NotifierSettings
    from services.tracker.settings import TrackerSettings

    monkeypatch.setenv("FOLLOWTHROUGH_SECRET_KEY", "from-the-environment")
    for cls in (IntakeSettings, TrackerSettings, NotifierSettings):
        assert cls().followthrough_secret_key.get_secret_value() == "from-the-environment"
