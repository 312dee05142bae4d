"""The deployment manifests hold together. No Kubernetes API or Docker engine
is reachable here, so these are structural checks of what operators rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SERVICES = {"intake": 8001, "tracker": 8002, "notifier": 8003}


def k8s_docs() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_kustomization_lists_every_manifest():
    listed = set(yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk


def test_every_object_is_well_formed():
    for doc in k8s_docs():
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc
        assert doc["metadata"].get("name")
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "followthrough"


@pytest.mark.parametrize("name,port", SERVICES.items())
def test_each_service_has_probes_config_and_a_service(name, port):
    docs = k8s_docs()
    (dep,) = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == name]
    (svc,) = [d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == name]
    spec = dep["spec"]
    assert spec["selector"]["matchLabels"] == spec["template"]["metadata"]["labels"] == svc["spec"]["selector"]
    (container,) = spec["template"]["spec"]["containers"]
    assert container["args"][0] == name and str(port) in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    sources = {next(iter(s)) : next(iter(s.values()))["name"] for s in container["envFrom"]}
    assert sources == {"configMapRef": "followthrough", "secretRef": "followthrough"}
    if name in ("tracker", "notifier"):
        assert spec["replicas"] >= 2  # replicas are safe by construction; run several


def test_settings_come_from_config_and_secrets():
    docs = k8s_docs()
    (config,) = [d for d in docs if d["kind"] == "ConfigMap"]
    (secret,) = [d for d in docs if d["kind"] == "Secret"]
    assert "KAFKA_BOOTSTRAP_SERVERS" in config["data"]
    assert {"DATABASE_URL", "FOLLOWTHROUGH_SECRET_KEY", "SMTP_PASSWORD"} <= set(secret["stringData"])
    assert not {"DATABASE_URL", "SMTP_PASSWORD", "FOLLOWTHROUGH_SECRET_KEY"} & set(config["data"])
    (job,) = [d for d in docs if d["kind"] == "Job"]
    assert "services.common.topics" in " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])


def test_compose_has_the_whole_stack():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(compose["services"]) == {"kafka", "postgres", "topics", "intake", "tracker", "notifier", "mail"}
    assert compose["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for name in SERVICES:
        svc = compose["services"][name]
        assert svc["command"][0] == name
        assert svc["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
