"""The webhooks service (docs/contract.md §8.3): the public events, signed and POSTed to services that
cannot read Kafka, after each receiver agreed in the CloudEvents validation handshake."""
