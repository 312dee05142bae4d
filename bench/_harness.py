"""What every benchmark needs: the real broker and database on ports of their
own, fresh databases and topic prefixes, services as processes, and wrk."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
KAFKA_PORT = int(os.environ.get("FT_BENCH_KAFKA_PORT", "29092"))
PG_PORT = int(os.environ.get("FT_BENCH_PG_PORT", "25433"))
RUN_DIR = os.environ.get("FT_BENCH_RUN_DIR", "/tmp/followthrough-bench")
BOOTSTRAP = f"127.0.0.1:{KAFKA_PORT}"
ADMIN_URL = f"postgresql://followthrough:followthrough@127.0.0.1:{PG_PORT}/followthrough"


def _env() -> dict[str, str]:
    return {**os.environ, "KAFKA_PORT": str(KAFKA_PORT), "PG_PORT": str(PG_PORT),
            "FOLLOWTHROUGH_RUN_DIR": RUN_DIR, "FOLLOWTHROUGH_PYTHON": sys.executable}


def start_stack() -> None:
    for script in ("kafka.sh", "postgres.sh"):
        subprocess.run([str(REPO / "deploy" / "local" / script), "start"], env=_env(), check=True,
                       stdout=subprocess.DEVNULL)


def new_database() -> str:
    name = f"b_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def new_prefix() -> str:
    from services.common.topics import ensure_topics

    prefix = f"b{uuid.uuid4().hex[:8]}."
    ensure_topics(BOOTSTRAP, prefix=prefix)
    return prefix


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def service(name: str, env: dict[str, str]):
    port = free_port()
    log = open(f"{RUN_DIR}/{name}-{port}.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", name, "--port", str(port)], cwd=REPO,
                            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP, **env}, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    spy = None
    try:
        wait_ready(url)
        spy = profile(proc.pid, name)
        yield url
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its samples when interrupted
            spy.wait(60)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def profile(pid: int, name: str) -> subprocess.Popen | None:
    """With FT_BENCH_PROFILE=1, sample `pid` with py-spy (raw collapsed stacks, idle frames left out)
    into RUN_DIR/profile-<name>.txt for `python -m bench.profile_top` to summarise."""
    if os.environ.get("FT_BENCH_PROFILE") != "1":
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = f"{RUN_DIR}/profile-{name}.txt"
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
                             "--nonblocking", "-o", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def profiling(name: str):
    """Profile this process (FT_BENCH_PROFILE=1) while the block runs."""
    spy = profile(os.getpid(), name)
    try:
        yield
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)


def wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def wrk(url: str, *, seconds: int = 10, connections: int = 50, script: str | None = None) -> dict[str, float]:
    """Requests per second and latency percentiles (ms) from wrk (Debian's package)."""
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: _ms(v, unit) for p, v, unit in re.findall(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    if "50" not in pct:
        raise RuntimeError(f"wrk gave no latency distribution:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": pct["50"], "p99": pct["99"], "non2xx": int(errors.group(1)) if errors else 0}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def report(name: str, baseline: str, base_value: float, result: str, value: float, ratio: float, goal: str,
           met: bool) -> None:
    print(f"\n== {name} ==")
    print(f"baseline: {baseline}: {base_value:,.2f}")
    print(f"result:   {result}: {value:,.2f}")
    print(f"ratio:    {ratio:.2f}   (goal {goal}: {'met' if met else 'NOT met'})")


def line(measure: str, baselines: dict[str, float], name: str, value: float, *, unit: str, goal: float,
         against: str, higher_is_better: bool = True) -> float:
    """One line per measure: every baseline, the result, and its ratio to the same-work baseline `against`."""
    ratio = value / baselines[against] if higher_is_better else baselines[against] / value
    met = "met" if ratio >= goal else "NOT met"
    base = "  ".join(f"{k} {v:,.1f}" for k, v in baselines.items())
    print(f"{measure} ({unit}): {base}  | {name} {value:,.1f}  | ratio {ratio:.2f} vs {against} "
          f"(goal >= {goal:.2f}: {met})",
          flush=True)
    return ratio
