"""What starts the webhooks use cases: the faust agents over the public topics."""
