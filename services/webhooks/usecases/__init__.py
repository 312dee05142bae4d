"""What the webhooks service does: store public events and fan them out (`record_events`), deliver
them one subscription at a time (`deliver`), administer subscriptions (`subscriptions`) and say how
far behind it is (`metrics`)."""
