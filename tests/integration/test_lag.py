"""Consumer lag measured against the real broker: what a group has not yet
committed, per topic, counted from the start for partitions it never read."""

from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from services.common.lag import measure


def test_lag_counts_what_the_group_has_not_committed(stack, topic):
    panels, notices = topic("followthrough.panels"), topic("followthrough.notices")
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    for i in range(7):  # one key, so one partition
        producer.send(notices, key=b"k", value=f"{i}".encode())
    for i in range(3):
        producer.send(panels, key=b"p", value=f"{i}".encode())
    producer.flush()
    producer.close()

    group = topic("lag-test-group")
    admin = KafkaAdminClient(bootstrap_servers=stack.bootstrap)
    reader = KafkaConsumer(bootstrap_servers=stack.bootstrap, group_id=None, enable_auto_commit=False)
    labels = {notices: "followthrough.notices", panels: "followthrough.panels"}
    try:
        assert measure(admin, reader, group, labels) == {"followthrough.notices": 7, "followthrough.panels": 3}

        # The group commits 5 of the 7 notices: 2 left on that topic.
        tp = next(TopicPartition(notices, p) for p, end in
                  ((p, reader.end_offsets([TopicPartition(notices, p)])[TopicPartition(notices, p)])
                   for p in reader.partitions_for_topic(notices)) if end == 7)
        committer = KafkaConsumer(bootstrap_servers=stack.bootstrap, group_id=group, enable_auto_commit=False)
        committer.assign([tp])
        committer.commit({tp: OffsetAndMetadata(5, "", -1)})
        committer.close()
        assert measure(admin, reader, group, labels) == {"followthrough.notices": 2, "followthrough.panels": 3}
    finally:
        admin.close()
        reader.close()
