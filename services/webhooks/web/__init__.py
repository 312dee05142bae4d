"""The webhooks service's HTTP API: subscriptions, admin only."""
