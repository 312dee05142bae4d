"""What the shipped deployments start with: Kubernetes gives intake an https address of its own
(so sign-in links leave the cluster and its cookies are Secure `__Host-` ones), and compose,
which listens on every interface, cannot start without a strong key of the operator's."""

from __future__ import annotations

import pytest
import yaml

from services.common.settings import (
    InsecureSecretKey,
    is_loopback_url,
    require_https_intake,
    require_strong_secret_key,
)
from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.tracker.settings import TrackerSettings
from tests.unit.deploy.test_manifests import DEPLOY, k8s_docs

SETTINGS = {"intake": IntakeSettings, "tracker": TrackerSettings, "notifier": NotifierSettings}


def _k8s_settings(monkeypatch, cls):
    (config,) = [d for d in k8s_docs() if d["kind"] == "ConfigMap"]
    for name, value in config["data"].items():
        monkeypatch.setenv(name, value)
    return cls()


def test_kubernetes_gives_intake_its_own_https_address(monkeypatch):
    settings = _k8s_settings(monkeypatch, IntakeSettings)
    assert settings.intake_url.startswith("https://"), settings.intake_url
    assert not is_loopback_url(settings.intake_url)
    require_https_intake(settings, settings.intake_url)  # the check intake runs at start passes on the shipped config


def _compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_refuses_to_run_without_a_key_from_the_environment():
    key = _compose()["x-service"]["environment"]["FOLLOWTHROUGH_SECRET_KEY"]
    assert key.startswith("${FOLLOWTHROUGH_SECRET_KEY:?") and "deploy/README.md" in key  # says where the how is


@pytest.mark.parametrize("name", SETTINGS)
def test_each_compose_service_listens_publicly_so_a_weak_key_stops_it(monkeypatch, name):
    service = _compose()["services"][name]
    host = service["command"][service["command"].index("--host") + 1]
    for env, value in service["environment"].items():
        monkeypatch.setenv(env, value)
    monkeypatch.setenv("FOLLOWTHROUGH_SECRET_KEY", "x")
    settings = SETTINGS[name]()
    assert is_loopback_url(settings.public_url)  # what let a weak key through before
    with pytest.raises(InsecureSecretKey):
        require_strong_secret_key(settings, listen_host=host)
