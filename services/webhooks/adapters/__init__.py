"""The webhooks service's I/O: its tables, the store over them, secrets at rest, the HTTP sender
and the one email to a disabled subscription's owner."""
