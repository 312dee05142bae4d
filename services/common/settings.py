"""Settings shared by every service (SPEC §6). Each service subclasses this
once; nothing here is read at import time."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE = "sqlite:///followthrough.db"
LOCAL_BROKER = "127.0.0.1:9092"
DEV_SECRET_KEY = "change-me-in-production"
MIN_SECRET_KEY_LENGTH = 32
MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


class Dsn(SecretStr):
    """DATABASE_URL: shown with its password masked (`postgresql://ft:***@db/ft`) in `repr`, `str`
    and logs; `get_secret_value()` is the URL to connect with."""

    def _display(self) -> str:
        from sqlalchemy.engine import make_url

        try:
            return make_url(self.get_secret_value()).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: show nothing of it
            return "**********"


def secret(value: str | SecretStr | None) -> str | None:
    """The plain value of a secret setting (or of a plain string, as tests pass them)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    kafka_bootstrap_servers: str = LOCAL_BROKER
    # Replicas of each topic the services create; unset: the cluster's default.replication.factor
    # and min.insync.replicas (three replicas on a three-broker cluster without any setting).
    kafka_replication_factor: int | None = Field(default=None, ge=1)
    database_url: Dsn = Dsn(DEFAULT_SQLITE)
    followthrough_public_url: str = "http://127.0.0.1:8002"
    followthrough_secret_key: SecretStr = Field(default=SecretStr(DEV_SECRET_KEY),
                                                description="signs respond links and form tokens")
    followthrough_topic_prefix: str = ""  # namespaces every topic, e.g. "staging." (tests use one each)
    followthrough_outbox_relay: bool = True  # false: this process only writes its outbox; another relays it
    # How often a consumer commits its offsets, in seconds. What was handled since the last
    # commit is read again after a crash; every consumer is idempotent, so this trades only
    # re-reading for commit traffic.
    followthrough_commit_interval: float = 1.0
    # auto: short coloured lines when stdout is a terminal, JSON lines otherwise (files, pipes,
    # log collectors); json: always JSON; console: always the short lines.
    followthrough_log_format: Literal["auto", "json", "console"] = "auto"
    # The largest request body any route takes, refused (413) before it is read.
    followthrough_max_body_bytes: int = Field(default=1_000_000, ge=1024, description="largest request body")

    @property
    def public_url(self) -> str:
        return self.followthrough_public_url.rstrip("/")


class SmtpSettings(BaseSettings):
    """The mail server, read the same way by every service that sends email (the notifier's
    notices, intake's sign-in links). Mixed into a service's settings beside CommonSettings."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "followthrough <noreply@followthrough.example>"
    smtp_starttls: bool = Field(default=False, description="upgrade with STARTTLS before login")
    smtp_timeout: float = Field(default=20.0, gt=0, description="seconds each SMTP command may wait on the server")


class InsecureSecretKey(RuntimeError):
    """The service would sign links and forms with a key others can guess."""


def is_loopback_url(url: str) -> bool:
    """True when only this machine can reach `url` (127.0.0.0/8, ::1, localhost)."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secret_key_weakness(key: str) -> str | None:
    """Why `key` is too weak to sign with, or None. Never quotes the key."""
    if key == DEV_SECRET_KEY:
        return "is the development default"
    if "change-me" in key.lower():
        return "is still a placeholder (it contains 'change-me')"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is {len(key)} characters long; it needs at least {MIN_SECRET_KEY_LENGTH}"
    return None


def require_strong_secret_key(settings: CommonSettings) -> None:
    """A service others reach (its public URL is not loopback) refuses to start with a weak key:
    anyone who knows the key can forge respond links and form tokens."""
    if is_loopback_url(settings.followthrough_public_url):
        return
    why = secret_key_weakness(secret(settings.followthrough_secret_key))
    if why:
        raise InsecureSecretKey(
            f"FOLLOWTHROUGH_SECRET_KEY {why}, and FOLLOWTHROUGH_PUBLIC_URL ({settings.public_url}) is not "
            f"loopback, so anyone could forge this service's links and forms. Make a strong key with "
            f"`{MAKE_ONE}` and set FOLLOWTHROUGH_SECRET_KEY to it, the same value for every service.")
