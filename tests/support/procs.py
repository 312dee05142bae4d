"""Whether processes and ports are left behind after a command stops."""

from __future__ import annotations

import socket
from pathlib import Path


def session_members(sid: int) -> list[str]:
    """Every process still in session `sid` (started with start_new_session=True)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[3]) == sid:  # field 6 of stat: session id
            found.append(f"{stat.parent.name}: {(stat.parent / 'cmdline').read_bytes()[:120]!r}")
    return found


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
