"""contract §6: topics take the cluster's replication unless KAFKA_REPLICATION_FACTOR is set."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.common.settings import CommonSettings
from services.common.topics import CLUSTER_DEFAULT, topic_replication


def test_unset_asks_the_cluster_for_its_own_defaults():
    assert topic_replication(None) == (CLUSTER_DEFAULT, {})
    assert CLUSTER_DEFAULT == -1


@pytest.mark.parametrize(("factor", "min_isr"), [(1, "1"), (2, "1"), (3, "2"), (5, "2")])
def test_a_set_factor_brings_a_min_insync_replicas_a_write_can_meet(factor, min_isr):
    assert topic_replication(factor) == (factor, {"min.insync.replicas": min_isr})


def test_the_setting_is_read_from_the_environment_and_must_be_positive(monkeypatch):
    monkeypatch.delenv("KAFKA_REPLICATION_FACTOR", raising=False)
    assert CommonSettings().kafka_replication_factor is None
    monkeypatch.setenv("KAFKA_REPLICATION_FACTOR", "3")
    assert CommonSettings().kafka_replication_factor == 3
    monkeypatch.setenv("KAFKA_REPLICATION_FACTOR", "0")
    with pytest.raises(ValidationError, match="kafka_replication_factor"):
        CommonSettings()
