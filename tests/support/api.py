"""Small helpers to talk to the services as a facilitator would."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from tests.support.stack import REPO


def issue_token(database_url: str, role: str = "admin", email: str = "admin@example.org",
                panel: str | None = None) -> str:
    """Through the real CLI: the token is alone on the last line of stdout."""
    cmd = [sys.executable, "-m", "services.cli", "token", "issue", "--role", role, "--email", email]
    if panel:
        cmd += ["--panel", panel]
    out = subprocess.run(cmd, cwd=REPO, env={**os.environ, "DATABASE_URL": database_url},
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def panel_body(uid: str) -> dict:
    return {
        "slug": f"panel-{uid}",
        "name": "Waltham Forest Youth Panel",
        "area": "Waltham Forest",
        "police_lead": {"role": "Inspector, engagement", "email": f"lead-{uid}@example.org"},
        "escalation": {"supervisor": f"supervisor-{uid}@example.org",
                       "senior_lead": f"senior-{uid}@example.org",
                       "board": f"board-{uid}@example.org"},
    }


def agreed_body(uid: str, due: dt.date, **over) -> dict:
    agreed_on = min(due - dt.timedelta(days=30), dt.date.today())
    body = {
        "panel": f"panel-{uid}",
        "raised_on": (agreed_on - dt.timedelta(days=30)).isoformat(),
        "title": "Explain the reason for every stop and search",
        "detail": "Young people said officers rarely explain why they are stopped.",
        "themes": ["stop-and-search", "respect"],
        "decision": "agreed",
        "commitment": {
            "action": "Brief every response officer on explaining the grounds for a stop",
            "done_means": "All response officers briefed; the panel has seen the briefing",
            "owner": {"role": "Chief Inspector, response", "email": f"owner-{uid}@example.org"},
            "due": due.isoformat(),
            "agreed_on": agreed_on.isoformat(),
        },
    }
    body.update(over)
    return body
