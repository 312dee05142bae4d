"""What more than one service needs, written once: settings base, database
engine, Kafka topics, the transactional outbox and its relay, the dead-letter
writer, the faust consumer loop, health and metrics endpoints, API tokens."""
