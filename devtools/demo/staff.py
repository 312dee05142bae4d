"""The demo's force sign-in: the test OpenID provider (tests/support/oidc/provider.mjs, the npm
`oidc-provider` run with node) with three example staff, whose addresses are an owner and two
ladder rungs of the example's commitments (devtools/demo/example.py), so each one's /me is full."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from devtools.demo.supervisor import Command

REPO = Path(__file__).resolve().parents[2]
PROVIDER = REPO / "tests" / "support" / "oidc"
CLIENT_ID, CLIENT_SECRET = "followthrough-demo", "a-secret-only-the-demo-uses"
TENANT = "demo-force"
PASSWORD = "demo"  # the provider's development login page takes any password; this one is printed

# (login name, address, what their /me shows)
ACCOUNTS = [
    ("inspector", "inspector.response@example.org",
     "the promises they own: a late one, a reopened one and a withdrawn one"),
    ("superintendent", "superintendent.ne@example.org",
     "as supervisor, every promise of the mentoring cohort; the late ones first"),
    ("board", "oversight-board.training@example.org",
     "as board member, every promise of the youth-led training panel"),
]


def unavailable() -> str | None:
    """Why the force sign-in cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        return "the npm package oidc-provider is missing (run `make install`, which runs npm ci)"
    return None


def write_accounts(run_dir: Path) -> Path:
    path = run_dir / "staff-accounts.json"
    path.write_text(json.dumps([{"id": login, "email": email, "email_verified": True, "tid": TENANT,
                                 "roles": [], "name": login.capitalize()} for login, email, _ in ACCOUNTS]))
    return path


def command(port: int, accounts: Path, service_urls: list[str]) -> Command:
    argv = [shutil.which("node") or "node", str(PROVIDER / "provider.mjs"), "--accounts", str(accounts),
            "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--port", str(port)]
    for url in service_urls:
        argv += ["--redirect-uri", f"{url}/signin/callback"]
    return Command("oidc", argv)


def service_env(port: int) -> dict[str, str]:
    """What intake and the tracker read to trust the demo's provider."""
    return {"FOLLOWTHROUGH_OIDC_ISSUER": f"http://127.0.0.1:{port}", "FOLLOWTHROUGH_OIDC_CLIENT_ID": CLIENT_ID,
            "FOLLOWTHROUGH_OIDC_CLIENT_SECRET": CLIENT_SECRET, "FOLLOWTHROUGH_OIDC_ALLOWED_TENANTS": TENANT}
