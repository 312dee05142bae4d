"""What the notifier does: record notices once, deliver them (retrying, then giving up),
and audit the ledger for stuck deliveries. Storage and mail come in through `ports`."""
