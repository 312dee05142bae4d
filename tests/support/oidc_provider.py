"""A real, OpenID-certified provider for the sign-in tests: the npm `oidc-provider` package
(`tests/support/oidc/provider.mjs`, installed by `make install` with `npm ci`), started with node on
a free loopback port and stopped after the test; and `sign_in_at_provider`, which walks an HTTP
client through its development login page as a person would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

HERE = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "followthrough-tests", "a-client-secret-only-the-tests-know"


@dataclass
class Provider:
    issuer: str
    proc: subprocess.Popen

    def settings(self, **over) -> dict:
        """The OIDC settings of a service that trusts this provider."""
        return {"followthrough_oidc_issuer": self.issuer, "followthrough_oidc_client_id": CLIENT_ID,
                "followthrough_oidc_client_secret": CLIENT_SECRET, **over}

    def env(self, **over) -> dict[str, str]:
        return {key.upper(): value for key, value in self.settings(**over).items()}


def start_provider(accounts: list[dict], redirect_uris: list[str]) -> Provider:
    node = shutil.which("node")
    assert node, "node is needed for the OpenID provider of the sign-in tests (make install)"
    assert (HERE / "node_modules" / "oidc-provider").is_dir(), "run `make install` (npm ci in tests/support/oidc)"
    accounts_file = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(accounts, accounts_file)
    accounts_file.close()
    command = [node, str(HERE / "provider.mjs"), "--accounts", accounts_file.name, "--client-id", CLIENT_ID,
               "--client-secret", CLIENT_SECRET]
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    issuer = proc.stdout.readline().strip()
    if not issuer.startswith("http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"the OpenID provider did not start (said {issuer!r})")
    return Provider(issuer, proc)


def stop_provider(provider: Provider) -> None:
    provider.proc.terminate()
    try:
        provider.proc.wait(10)
    except subprocess.TimeoutExpired:
        provider.proc.kill()


@pytest.fixture
def oidc_provider():
    """`start(accounts, redirect_uris)`: a running provider; every one started is stopped after the test."""
    started: list[Provider] = []

    def start(accounts: list[dict], redirect_uris: list[str]) -> Provider:
        started.append(start_provider(accounts, redirect_uris))
        return started[-1]

    yield start
    for provider in started:
        stop_provider(provider)


def _form(html: str, base: str) -> tuple[str, dict[str, str]]:
    """The page's first form: its absolute action and its inputs' values."""
    action = re.search(r'<form[^>]*action="([^"]*)"', html).group(1)
    fields = {m.group(1): unescape(m.group(2) or "")
              for m in re.finditer(r'<input[^>]*name="([^"]+)"(?:[^>]*value="([^"]*)")?', html)}
    return urljoin(base, unescape(action)), fields


def sign_in_at_provider(authorize_url: str, account: str) -> str:
    """Open the provider's authorization URL in a fresh browser-like client, sign in as `account` on
    its login page, and return the callback URL it sends the browser back to (not followed)."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        url = authorize_url
        for _ in range(10):
            r = browser.get(url)
            if r.status_code in (302, 303):
                url = urljoin(url, r.headers["location"])
                if "/signin/callback" in url:
                    return url
                continue
            action, fields = _form(r.text, url)
            r = browser.post(action, data={**fields, "login": account, "password": "any"})
            assert r.status_code in (302, 303), f"the provider's login page answered {r.status_code}: {r.text[:300]}"
            url = urljoin(action, r.headers["location"])
            if "/signin/callback" in url:
                return url
    raise AssertionError("the provider never sent the browser back to the callback")
