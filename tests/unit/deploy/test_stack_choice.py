"""Which launcher starts the test stack: FT_STACK when set, else Docker when an engine answers
(testcontainers), else deploy/local. No Docker engine here: the probe is faked."""

from __future__ import annotations

import pytest

from tests.support import stack
from tests.support.stack import StackChoiceError, choose


def probe(answer: bool):
    calls = []

    def ask() -> bool:
        calls.append(1)
        return answer
    ask.calls = calls
    return ask


@pytest.mark.parametrize(("env", "docker", "chosen"), [
    ({}, True, "containers"),
    ({}, False, "local"),
    ({"FT_STACK": ""}, True, "containers"),
    ({"FT_STACK": "local"}, True, "local"),
    ({"FT_STACK": "local"}, False, "local"),
    ({"FT_STACK": "containers"}, True, "containers"),
    ({"FT_STACK": " Containers "}, True, "containers"),
])
def test_the_launcher_follows_ft_stack_then_the_docker_probe(env, docker, chosen):
    assert choose(env, probe(docker)) == chosen


def test_forced_local_never_asks_docker():
    ask = probe(True)
    assert choose({"FT_STACK": "local"}, ask) == "local"
    assert ask.calls == []


def test_containers_without_docker_is_a_clear_error_naming_ft_stack_and_the_fix():
    with pytest.raises(StackChoiceError) as err:
        choose({"FT_STACK": "containers"}, probe(False))
    message = str(err.value)
    assert "FT_STACK=containers" in message and "no Docker engine answers" in message
    assert "FT_STACK=local" in message and "DOCKER_HOST" in message


def test_an_unknown_stack_is_an_error_naming_both_choices():
    with pytest.raises(StackChoiceError, match=r"FT_STACK='docker'.*FT_STACK=local.*FT_STACK=containers"):
        choose({"FT_STACK": "docker"}, probe(True))


def test_the_chosen_launcher_is_the_one_that_starts(monkeypatch):
    for env, docker, cls in [({}, False, stack.LocalLauncher), ({}, True, stack.ContainersLauncher),
                             ({"FT_STACK": "local"}, True, stack.LocalLauncher)]:
        monkeypatch.setattr(stack, "_launcher", None)
        monkeypatch.setattr(stack.os, "environ", env)
        monkeypatch.setattr(stack, "docker_answers", probe(docker))
        assert type(stack.launcher()) is cls


def test_no_engine_means_the_probe_says_no(monkeypatch):
    """The real probe, against an address where nothing answers."""
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")
    assert stack.docker_answers() is False


def test_the_containers_are_the_pinned_official_images():
    pom = (stack.REPO / "deploy" / "local" / "kafka" / "pom.xml").read_text()
    assert stack.KAFKA_IMAGE.startswith("apache/kafka:") and f"<kafka.version>{stack.KAFKA_VERSION}<" in pom
    assert stack.POSTGRES_IMAGE.startswith("postgres:") and stack.POSTGRES_IMAGE.split(":")[1][0].isdigit()
    env = stack.ContainersLauncher.kafka_env()
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller" and env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://127.0.0.1:{stack.KAFKA_PORT}"
