"""The deployment manifests hold together: every Kubernetes object validates
against the Kubernetes API's own schema (kubernetes-validate, strict: an
unknown or misspelt field fails), compose.yaml against the Compose
specification's schema (`docker compose config` too where a Docker client
exists), and the checks below hold what operators rely on."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import ValidationError

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SERVICES = {"intake": 8001, "tracker": 8002, "notifier": 8003, "webhooks": 8004}


def k8s_docs() -> list[dict]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


KUBERNETES = "1.33"  # the oldest version operators are expected to run


def test_every_kubernetes_object_matches_the_api_schema():
    for doc in k8s_docs():
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_schema_check_catches_a_misspelt_field():
    (dep,) = [d for d in k8s_docs() if d["kind"] == "Deployment" and d["metadata"]["name"] == "tracker"]
    broken = copy.deepcopy(dep)
    broken["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {"httpGet": {"path": "/readyz"}}
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def check_compose(path: Path) -> subprocess.CompletedProcess:
    tool = Path(sys.executable).parent / "check-jsonschema"
    return subprocess.run([str(tool), "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, timeout=60)


def has_compose_plugin() -> bool:
    return bool(shutil.which("docker")) and subprocess.run(
        ["docker", "compose", "version"], capture_output=True).returncode == 0


def test_compose_file_matches_the_compose_spec(tmp_path):
    result = check_compose(DEPLOY / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    compose["services"]["tracker"]["restart_policy"] = "always"  # not a Compose key: must be refused
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(compose))
    assert check_compose(tmp_path / "compose.yaml").returncode != 0
    if has_compose_plugin():  # the real client, where there is one
        subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"], check=True)


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


SECRET_SETTINGS = {"DATABASE_URL", "FOLLOWTHROUGH_SECRET_KEY", "SMTP_USERNAME", "SMTP_PASSWORD"}


def test_settings_come_from_config_and_secrets():
    docs = k8s_docs()
    (config,) = [d for d in docs if d["kind"] == "ConfigMap"]
    assert "KAFKA_BOOTSTRAP_SERVERS" in config["data"]
    assert not SECRET_SETTINGS & set(config["data"])
    (job,) = [d for d in docs if d["kind"] == "Job"]
    assert "services.common.topics" in " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])


def test_compose_has_the_whole_stack():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(compose["services"]) == {"kafka", "postgres", "topics", "intake", "tracker", "notifier", "webhooks",
                                        "mail"}
    assert compose["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for name in SERVICES:
        svc = compose["services"][name]
        assert svc["command"][0] == name
        assert svc["environment"]["DATABASE_URL"].startswith("postgresql://")
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_the_kustomization_applies_no_secret():
    """`kubectl apply -k` would put a placeholder over the operator's own Secret (and its signing
    key): the operator creates the Secret, as deploy/README.md shows, and the manifests only refer to it."""
    assert not [d for d in k8s_docs() if d["kind"] == "Secret"]
    assert "kind: Secret" not in "".join(p.read_text() for p in (DEPLOY / "k8s").glob("*.yaml"))


def test_the_readme_shows_how_to_create_the_secret():
    readme = (DEPLOY / "README.md").read_text()
    command = readme.split("kubectl -n followthrough create secret generic followthrough", 1)[1].split("```", 1)[0]
    for name in SECRET_SETTINGS:
        assert f"--from-literal={name}=" in command or f"--from-file={name}=" in command, name
    assert "token_urlsafe" in readme  # how to make a strong signing key
