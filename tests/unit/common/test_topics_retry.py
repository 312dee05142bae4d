"""Creating the topics on a cluster that has just started: an answer that says the controller is not
known yet (or any retriable one) is asked again until the deadline; anything else is raised at once."""

from __future__ import annotations

import pytest
from kafka.errors import InvalidReplicationFactorError, NodeNotReadyError, UnknownBrokerIdError

from services.common import topics


def test_a_controller_not_known_yet_is_asked_again(monkeypatch):
    answers = [UnknownBrokerIdError(1), NodeNotReadyError(1), ["followthrough.panels"]]

    def create(*_args):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(topics, "_create_missing", create)
    monkeypatch.setattr(topics.time, "sleep", lambda _s: None)
    assert topics.ensure_topics("127.0.0.1:1", timeout_s=5) == ["followthrough.panels"] and answers == []


def test_a_refusal_that_asking_again_cannot_change_is_raised_at_once(monkeypatch):
    calls = []

    def create(*_args):
        calls.append(1)
        raise InvalidReplicationFactorError("3 replicas on a 1-broker cluster")

    monkeypatch.setattr(topics, "_create_missing", create)
    with pytest.raises(InvalidReplicationFactorError):
        topics.ensure_topics("127.0.0.1:1", timeout_s=5)
    assert calls == [1]


def test_the_outbox_relay_asks_once_and_keeps_its_own_loop(monkeypatch):
    calls = []

    def create(*_args):
        calls.append(1)
        raise UnknownBrokerIdError(1)

    monkeypatch.setattr(topics, "_create_missing", create)
    with pytest.raises(UnknownBrokerIdError):
        topics.ensure_topics("127.0.0.1:1", timeout_s=5, ask_again=False)
    assert calls == [1]
