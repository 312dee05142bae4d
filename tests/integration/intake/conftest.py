"""Intake in this process on the test database and broker, with an admin token: `intake.admin` (the
header), `intake.engine` and `intake.database_url`. Its reply consumer is off (replies:
test_decline_codes_and_replies.py, which makes its own)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.common.db import make_engine
from services.intake.app import create_app
from services.intake.settings import IntakeSettings
from tests.support.api import issue_token


@pytest.fixture
def intake(stack, database_url, prefix):
    settings = IntakeSettings(kafka_bootstrap_servers=stack.bootstrap, database_url=database_url,
                              followthrough_topic_prefix=prefix, followthrough_reply_consumer=False)
    with TestClient(create_app(settings)) as client:
        client.admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
        client.engine = make_engine(database_url)
        client.database_url = database_url
        yield client
