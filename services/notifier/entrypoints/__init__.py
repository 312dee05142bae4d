"""What starts the notifier's use cases: the Kafka agent and the delivery and audit loops."""
