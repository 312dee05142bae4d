"""Small helpers to talk to the services as a facilitator would."""

from __future__ import annotations

import datetime as dt
import threading

_ONE_AT_A_TIME = threading.Lock()  # the runner swaps os.environ and sys.stdout while it runs


def issue_token(database_url: str, role: str = "admin", email: str = "admin@example.org",
                panel: str | None = None) -> str:
    """Through the CLI's own `token issue` command (its options, its output: the token alone on the
    last line), run in this process: a fresh interpreter per token cost 2-4 s of imports, and the
    suite issues a few hundred. tests/integration/test_cli.py runs the command as a process."""
    from typer.testing import CliRunner

    from services.cli_admin import token_app

    args = ["issue", "--role", role, "--email", email, *(["--panel", panel] if panel else [])]
    with _ONE_AT_A_TIME:
        done = CliRunner().invoke(token_app, args, env={"DATABASE_URL": database_url}, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout.strip().splitlines()[-1]


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
