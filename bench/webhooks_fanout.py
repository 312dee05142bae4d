"""Webhooks fan-out: N events (10,000) to S subscriptions (20), twice side by side in one run:
all S receivers alive (the baseline), then S-1 alive and one dead after it consented to the
handshake (`--dead hang`, the default: it takes the connection and never answers, so every attempt
costs the sender its whole timeout; `--dead refuse`: connection refused). Measured: the time from the
first event produced until the S-1 receivers that are alive in both runs hold every event, in each
run, and their ratio. Goal (docs/contract.md §8.3, "each receiver on its own"): the dead one's
backlog costs the others nothing, ratio (alive / one dead) >= 0.9, within the noise of a loaded
machine.

The real path: the events (agreed recommendations, as bench/tracker_ingest.py makes them) are
produced to the recommendations topic of a fresh prefix and read by `followthrough webhooks` (a
process of its own, on a fresh PostgreSQL database, FOLLOWTHROUGH_WEBHOOKS_ALLOW_PRIVATE=true);
the receivers are tests/support/receivers.py's, in this process, each verifying every signature
with the `standardwebhooks` package and keeping only the webhook-ids and when each first arrived.

Run: .venv/bin/python bench/webhooks_fanout.py [N=10000] [S=20] [--dead hang|refuse] [--dead-first] [--timeout 3600]"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench.tracker_ingest import produce  # noqa: E402
from tests.support.api import issue_token  # noqa: E402
from tests.support.receivers import StandardWebhooksReceiver  # noqa: E402


def subscribe(url: str, token: str, receivers: list[StandardWebhooksReceiver]) -> list[str]:
    """One v1 subscription per receiver, every type; each receiver holds its secret."""
    ids = []
    for r in receivers:
        answer = httpx.post(f"{url}/api/v1/subscriptions", headers={"Authorization": f"Bearer {token}"},
                            json={"url": r.url, "types": ["*"], "signature": "v1"}, timeout=30)
        answer.raise_for_status()
        r.secrets = [answer.json()["secret"]]
        ids.append(answer.json()["id"])
    return ids


def wait_active(url: str, token: str, ids: list[str], within: float = 120) -> None:
    deadline = time.monotonic() + within
    auth = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        states = [httpx.get(f"{url}/api/v1/subscriptions/{i}", headers=auth, timeout=30).json()["state"]
                  for i in ids]
        if all(s == "active" for s in states):
            return
        time.sleep(0.5)
    raise TimeoutError(f"subscriptions not active in {within} s: {states}")


def run(label: str, n: int, subs: int, dead: str | None, timeout: float) -> dict[str, float]:
    """One run on its own database and topics; returns seconds per alive receiver to hold all n."""
    url, prefix = h.new_database(), h.new_prefix()
    env = {"DATABASE_URL": url, "FOLLOWTHROUGH_TOPIC_PREFIX": prefix, "FOLLOWTHROUGH_WEBHOOKS_ALLOW_PRIVATE": "true"}
    receivers = [StandardWebhooksReceiver(f"r{i:02d}", keep=False) for i in range(subs)]
    try:
        with h.service("webhooks", env) as service:
            token = issue_token(url)
            ids = subscribe(service, token, receivers)
            wait_active(service, token, ids)
            if dead:
                receivers[-1].die(dead)
            alive = receivers[:-1]  # the same S-1 are timed in both runs
            start = time.monotonic()
            produce(prefix, n)
            produced = time.monotonic() - start
            print(f"[{label}] produced {n:,} events in {produced:.1f} s", flush=True)
            done = watch(label, alive, n, start, timeout)
            last = receivers[-1]
            print(f"[{label}] receiver {last.name} ({'dead: ' + dead if dead else 'alive'}) holds "
                  f"{len(last.accepted_ids()):,} of {n:,}; POSTs it left unanswered: "
                  f"{len([r for r in last.posts() if r.status == 0])}", flush=True)
            return done
    finally:
        for r in receivers:
            r.close()


def watch(label: str, alive: list[StandardWebhooksReceiver], n: int, start: float,
          timeout: float) -> dict[str, float]:
    """Until every alive receiver holds n webhook-ids (or timeout): seconds from `start` to each one's
    last first arrival."""
    deadline, next_print = start + timeout, start + 30
    while time.monotonic() < deadline:
        counts = {r.name: len(r.accepted_ids()) for r in alive}
        if min(counts.values()) >= n:
            break
        if time.monotonic() >= next_print:
            total = sum(counts.values())
            print(f"[{label}] {time.monotonic() - start:.0f} s: {total:,} of {n * len(alive):,} delivered "
                  f"({total / (time.monotonic() - start):,.0f}/s); slowest receiver {min(counts.values()):,}",
                  flush=True)
            next_print += 30
        time.sleep(0.5)
    else:
        counts = {r.name: len(r.accepted_ids()) for r in alive}
        raise TimeoutError(f"[{label}] not all delivered in {timeout:.0f} s: {counts}")
    return {r.name: max(r.accepted_ids().values()) - start for r in alive}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("subs", nargs="?", type=int, default=20)
    parser.add_argument("--dead", choices=["hang", "refuse"], default="hang")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--dead-first", action="store_true",
                        help="the run with the dead receiver first (the machine's load drifts: try both orders)")
    args = parser.parse_args()
    h.start_stack()
    results = {}
    runs = [("all alive", None), (f"one dead ({args.dead})", args.dead)]
    for label, dead in reversed(runs) if args.dead_first else runs:
        times = run(label, args.n, args.subs, dead, args.timeout)
        results[label] = max(times.values())
        spread = sorted(times.values())
        print(f"[{label}] {args.subs - 1} receivers hold all {args.n:,} events after {results[label]:.1f} s "
              f"(first {spread[0]:.1f} s, median {statistics.median(spread):.1f} s; "
              f"{args.n * (args.subs - 1) / results[label]:,.0f} deliveries/s)", flush=True)
    alive, dead = results[runs[0][0]], results[runs[1][0]]
    h.line(f"webhooks fan-out, {args.n:,} events to {args.subs} subscriptions: time for the {args.subs - 1} "
           f"alive receivers to hold all", {"all alive": alive}, "one dead", dead, unit="s", goal=0.9,
           against="all alive", higher_is_better=False)


if __name__ == "__main__":
    main()
