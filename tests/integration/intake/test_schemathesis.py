"""schemathesis against intake's own OpenAPI: no input makes it answer 5xx."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.api import issue_token, panel_body


def test_intake_openapi_fuzz_finds_no_server_error(services, database_url, uid, tmp_path):
    intake = services("intake")
    token = issue_token(database_url)
    httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers={"Authorization": f"Bearer {token}"})
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        [st, "run", f"{intake.url}/openapi.json", "--checks", "not_a_server_error", "--max-examples", "150",
         "--phases", "examples,coverage,fuzzing", "--workers", "2", "--seed", "1", "--no-color",
         "-H", f"Authorization: Bearer {token}"],
        capture_output=True, text=True, timeout=600)
    print(result.stdout[-2500:])
    assert result.returncode == 0, result.stdout[-4000:]
    generated = int(re.search(r"(\d+) generated", result.stdout).group(1))
    assert generated >= 300
