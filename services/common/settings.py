"""Settings shared by every service (contract §6). Each service subclasses this
once; nothing here is read at import time."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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


def _networks(value: object) -> object:
    """FOLLOWTHROUGH_TRUSTED_PROXIES as written in the environment: addresses or CIDRs, comma-separated."""
    if not isinstance(value, str):
        return value
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network: write addresses or CIDRs separated "
                             f"by commas, like 10.0.0.0/8,127.0.0.1") from None
    return networks


def _words(value: object) -> object:
    """A list setting as written in the environment: values separated by commas."""
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


# FOLLOWTHROUGH_OIDC_ALLOWED_TENANTS: the `tid` values whose tokens may sign in (empty: any).
Tenants = Annotated[list[str], NoDecode, BeforeValidator(_words)]

# The reverse proxies whose X-Forwarded-For / Forwarded name the client (services/common/clientaddress.py).
TrustedProxies = Annotated[list[ipaddress.IPv4Network | ipaddress.IPv6Network], NoDecode, BeforeValidator(_networks)]


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
    # Empty: every peer is the client itself, and forwarding headers are ignored.
    followthrough_trusted_proxies: TrustedProxies = Field(
        default_factory=list, description="reverse proxies (IPs or CIDRs) whose forwarding headers name the client")
    # The largest request body any route takes, refused (413) before it is read.
    followthrough_max_body_bytes: int = Field(default=1_000_000, ge=1024, description="largest request body")
    # Told to stop (SIGTERM, SIGINT), a service stops its consumers, relay and scheduler and
    # exits; if that is not done in this many seconds (a broker or database gone away), it exits anyway.
    followthrough_shutdown_timeout: float = Field(
        default=8.0, gt=0, le=120, description="seconds a service may take to stop before it exits anyway")
    # Set by `followthrough demo` and `up`, which prefix each line with the time and the process's
    # name and show it to a person: short lines without a time of their own (auto log format).
    followthrough_supervised: bool = Field(
        default=False, description="set by `followthrough demo` and `up`: log lines without their own time")

    # Staff sign-in with the force's OpenID provider (docs/signin.md); unset issuer: email links only.
    followthrough_oidc_issuer: str | None = Field(
        default=None, description="the force's OpenID Connect issuer URL (discovery); unset: no force sign-in")
    followthrough_oidc_client_id: str | None = Field(
        default=None, description="this app's client (application) id at the OpenID provider")
    followthrough_oidc_client_secret: SecretStr | None = Field(
        default=None, description="this app's client secret at the OpenID provider")
    followthrough_oidc_roles_claim: str = Field(
        default="roles", description="the ID token claim holding followthrough.admin / followthrough.facilitator")
    followthrough_oidc_allowed_tenants: Tenants = Field(
        default_factory=list, description="tenant ids (`tid`, comma-separated) whose staff may sign in; empty: any")

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


class RefusedToStart(RuntimeError):
    """The service would start in a way others could abuse; the message says why and the fix."""


class InsecureSecretKey(RefusedToStart):
    """The service would sign links and forms with a key others can guess."""


class InsecureTransport(RefusedToStart):
    """An https site would send people to a plain-http address."""


def is_loopback_host(host: str) -> bool:
    """True when an interface named `host` is reachable from this machine only (127.0.0.0/8,
    ::1, localhost); 0.0.0.0 and :: listen on every interface."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    """True when only this machine can reach `url` (127.0.0.0/8, ::1, localhost)."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return bool(host) and is_loopback_host(host)


def is_https(url: str) -> bool:
    return url.strip().lower().startswith("https://")


def secret_key_weakness(key: str) -> str | None:
    """Why `key` is too weak to sign with, or None. Never quotes the key."""
    if key == DEV_SECRET_KEY:
        return "is the development default"
    if "change-me" in key.lower():
        return "is still a placeholder (it contains 'change-me')"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is {len(key)} characters long; it needs at least {MIN_SECRET_KEY_LENGTH}"
    return None


def require_strong_secret_key(settings: CommonSettings, listen_host: str | None = None) -> None:
    """A service others reach refuses to start with a weak key: anyone who knows the key can
    forge respond links and form tokens. Others reach it when its public URL is not loopback, or
    when it listens on an interface that is not (`listen_host`, as `--host 0.0.0.0` does: the
    public URL is only what links say, not who can connect)."""
    reachable = []
    if not is_loopback_url(settings.followthrough_public_url):
        reachable.append(f"FOLLOWTHROUGH_PUBLIC_URL ({settings.public_url}) is not loopback")
    if listen_host is not None and not is_loopback_host(listen_host):
        reachable.append(f"the service listens on {listen_host}, an interface others can reach")
    why = secret_key_weakness(secret(settings.followthrough_secret_key)) if reachable else None
    if why:
        raise InsecureSecretKey(
            f"FOLLOWTHROUGH_SECRET_KEY {why}, and {' and '.join(reachable)}, so anyone could forge this "
            f"service's links and forms. Make a strong key with `{MAKE_ONE}` and set FOLLOWTHROUGH_SECRET_KEY "
            "to it, the same value for every service.")


def require_https_intake(settings: CommonSettings, intake: str) -> None:
    """A site served over https must not send facilitators to a plain-http intake (`intake`, where
    they reach it): its sign-in links would cross the network in clear and its session cookie
    could not be `Secure`."""
    if not is_https(settings.followthrough_public_url) or is_https(intake):
        return
    raise InsecureTransport(
        f"FOLLOWTHROUGH_PUBLIC_URL ({settings.public_url}) is https, but FOLLOWTHROUGH_INTAKE_PUBLIC_URL "
        f"({intake}) is not, so sign-in links and session cookies would travel unencrypted. Set "
        "FOLLOWTHROUGH_INTAKE_PUBLIC_URL to the https:// address where facilitators reach intake.")
