"""Run schemathesis (`st`) against a service's OpenAPI and count what it tried."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path


def fuzz(base_url: str, token: str, tmp_path: Path, parameters: dict[str, str] | None = None,
         max_examples: int = 150) -> int:
    """Assert that no generated request gets a 5xx; return how many were generated.

    `parameters` pins values such as a real commitment id ("path.commitment_id"),
    so generated requests get past the lookup into the code behind it."""
    config = tmp_path / "schemathesis.toml"
    config.write_text("[parameters]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in (parameters or {}).items()))
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    # One worker: with two threads, CPython 3.11's ast module sometimes trips inside hypothesis.
    result = subprocess.run(
        [st, "--config-file", str(config), "run", f"{base_url}/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", str(max_examples),
         "--phases", "examples,coverage,fuzzing", "--workers", "1", "--seed", "1", "--no-color",
         "-H", f"Authorization: Bearer {token}"],
        capture_output=True, text=True, timeout=900)
    print(result.stdout[-2500:])
    assert result.returncode == 0, result.stdout[-4000:]
    return int(re.search(r"(\d+) generated", result.stdout).group(1))
