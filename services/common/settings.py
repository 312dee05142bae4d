"""Settings shared by every service (SPEC §6). Each service subclasses this
once; nothing here is read at import time."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE = "sqlite:///followthrough.db"
LOCAL_BROKER = "127.0.0.1:9092"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    kafka_bootstrap_servers: str = LOCAL_BROKER
    database_url: str = DEFAULT_SQLITE
    followthrough_public_url: str = "http://127.0.0.1:8002"
    followthrough_topic_prefix: str = ""  # namespaces every topic, e.g. "staging." (tests use one each)
    followthrough_outbox_relay: bool = True  # false: this process only writes its outbox; another relays it
    # How often a consumer commits its offsets, in seconds. What was handled since the last
    # commit is read again after a crash; every consumer is idempotent, so this trades only
    # re-reading for commit traffic.
    followthrough_commit_interval: float = 1.0

    @property
    def public_url(self) -> str:
        return self.followthrough_public_url.rstrip("/")
