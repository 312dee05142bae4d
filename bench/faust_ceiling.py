"""7. The consumer's ceiling: how fast faust-streaming itself reads, against
bare aiokafka, and how close the tracker's ingest comes to it. On one topic
filled with N real `recommendation.agreed` CloudEvents (tracker_ingest's
producer), each measure in a fresh process and a consumer group of its own:

- aiokafka: a bare AIOKafkaConsumer (partitions assigned, no group), reading
  every message in batches of up to 2,000 and JSON-decoding its value;
- faust, nothing: an agent built with the tracker's app settings
  (services/common/streams.py), taking events as the tracker does
  (`take_events(2000, 0.25)`) and only counting them;
- faust, tracker minus database: the tracker's own consumer loop
  (services/common/consumer.py: CloudEvents binding and pydantic validation
  through schemas/binding.py, the handler run in a thread, a log line and a
  metric per event) with a handler that writes nothing;
- the tracker itself (tracker_ingest.py's measure) on the same topic, and the
  same-work baseline (consumer + psycopg writing the tracker's rows).

Every rate runs from the first message received to the N-th (a group's join is
left out, as in tracker_ingest.py). Ratios: faust-nothing / aiokafka (what
faust costs), tracker / faust-nothing (the tracker's ingest against the
ceiling its framework sets).
Run: .venv/bin/python bench/faust_ceiling.py [N]"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402
from bench import tracker_ingest  # noqa: E402
from schemas.events import DLQ, RECOMMENDATIONS  # noqa: E402

BATCH, WITHIN = 2000, 0.25  # what services/common/consumer.py takes


async def _aiokafka(prefix: str, n: int) -> float:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topic = prefix + RECOMMENDATIONS
    consumer = AIOKafkaConsumer(bootstrap_servers=h.BOOTSTRAP, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not parts:
            await consumer._client.force_metadata_update()
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        count, first = 0, None
        while count < n:
            batches = await consumer.getmany(timeout_ms=500, max_records=BATCH)
            for messages in batches.values():
                for m in messages:
                    json.loads(m.value)
                if messages and first is None:
                    first, first_count = time.perf_counter(), len(messages)
                count += len(messages)
        return (n - first_count) / (time.perf_counter() - first)
    finally:
        await consumer.stop()


async def _faust(prefix: str, n: int, tracker_loop: bool) -> float:
    from faust.contrib.asgi import faust_app_running

    from services.common import logs
    from services.common.consumer import consume
    from services.common.streams import make_faust_app, raw_topic

    # the service's log setup (JSON lines to a file), since the tracker's loop logs a line per event
    logs.configure("tracker", fmt="json", stream=open(f"{h.RUN_DIR}/faust-ceiling.log", "a"))
    app = make_faust_app(f"ceiling-{uuid.uuid4().hex[:6]}", h.BOOTSTRAP, prefix)
    state = {"count": 0, "first": None, "first_count": 0}
    done = asyncio.Event()

    def seen(k: int) -> None:
        if state["first"] is None:
            state["first"], state["first_count"] = time.perf_counter(), k
        state["count"] += k
        if state["count"] >= n:
            state["last"] = time.perf_counter()
            done.set()

    if tracker_loop:
        dlq = raw_topic(app, prefix + DLQ)

        def handle_many(items):  # the tracker's batch handler minus the database
            seen(len(items))

        @app.agent(raw_topic(app, prefix + RECOMMENDATIONS), name="ceiling")
        async def agent(stream):
            await consume(stream, service="tracker", topic=RECOMMENDATIONS, handle_many=handle_many, dlq_topic=dlq)
    else:
        @app.agent(raw_topic(app, prefix + RECOMMENDATIONS), name="ceiling")
        async def agent(stream):
            async for events in stream.take_events(BATCH, WITHIN):
                seen(len(events))

    async with faust_app_running(app, stop_timeout=30):
        await asyncio.wait_for(done.wait(), timeout=1800)
    return (n - state["first_count"]) / (state["last"] - state["first"])


def one(kind: str, prefix: str, n: int) -> float:
    """Run one measure in a fresh process (faust keeps state per process)."""
    out = subprocess.run([sys.executable, __file__, "--one", kind, prefix, str(n)], capture_output=True, text=True,
                         cwd=h.REPO, timeout=1900)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{out.stderr[-4000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    h.start_stack()
    prefix = h.new_prefix()
    tracker_ingest.produce(prefix, n)
    bare = one("aiokafka", prefix, n)
    nothing = one("faust-nothing", prefix, n)
    loop = one("faust-tracker-loop", prefix, n)
    base = tracker_ingest.same_work(prefix, n)
    tracker, join = tracker_ingest.tracker(prefix, n)
    print(f"tracker: {join:.1f} s from ready to its first stored row (consumer group join), then steady state")
    print(f"faust ceiling, N={n} (events/s): aiokafka {bare:,.1f}  | faust agent doing nothing {nothing:,.1f}  "
          f"| ratio {nothing / bare:.2f} faust-nothing/aiokafka (context: what faust itself costs)", flush=True)
    print(f"faust ceiling, N={n} (events/s): faust-nothing {nothing:,.1f}  | faust + tracker loop minus database "
          f"{loop:,.1f}  | ratio {loop / nothing:.2f} vs faust-nothing (context: parsing and validation)", flush=True)
    h.line(f"tracker ingest vs ceiling, N={n}", {"faust-nothing": nothing, "same-work": base}, "tracker", tracker,
           unit="events/s", goal=0.5, against="faust-nothing")
    print(f"tracker ingest vs same-work, N={n}: ratio {tracker / base:.2f}; "
          f"same-work vs faust-nothing: {base / nothing:.2f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        kind, prefix, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
        coro = _aiokafka(prefix, count) if kind == "aiokafka" else _faust(prefix, count, kind == "faust-tracker-loop")
        print(asyncio.run(coro), flush=True)
    else:
        main()
