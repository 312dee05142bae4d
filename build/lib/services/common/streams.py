"""The faust app each consuming service builds, the same way."""

from __future__ import annotations

import tempfile

import faust


def make_faust_app(name: str, bootstrap: str, prefix: str = "", commit_interval: float = 1.0) -> faust.App:
    name = prefix + name  # the consumer group follows the topics' namespace
    servers = ";".join(f"kafka://{s.strip()}" for s in bootstrap.split(","))
    return faust.App(
        name,
        broker=servers,
        value_serializer="raw",
        key_serializer="raw",
        web_enabled=False,  # uvicorn serves HTTP; faust runs inside its lifespan
        store="memory://",
        datadir=tempfile.mkdtemp(prefix=f"{name}-faust-"),  # replicas must not share one
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        topic_allow_declare=False,  # topics are created once, with their real settings
        # faust's leader election needs a topic of its own ("<app>-__assignor-__leader"). We never
        # declare it (see above) and run no `on_leader` timer or task, so with it enabled the
        # consumer subscribed to a topic that does not exist and aiokafka warned "Topic ... not
        # found in cluster metadata" every metadata refresh (5 s, below).
        topic_disable_leader=True,
        # A replica that died (kill -9) holds its partitions until the session times out;
        # faust's 60 s default leaves them unread for a minute.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        # After a broker restart the group can be assigned nothing while the topics' metadata is
        # still missing; aiokafka rejoins when the metadata changes, which it only re-reads every
        # 5 minutes by default. 5 s puts the consumer back to work within seconds.
        consumer_metadata_max_age_ms=5000,
        broker_commit_every=100,
        broker_commit_interval=commit_interval,
    )


def raw_topic(app: faust.App, name: str):
    return app.topic(name, value_serializer="raw", key_serializer="raw")
