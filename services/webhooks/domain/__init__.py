"""The webhooks service's pure rules (docs/contract.md §8.3): the retry schedule, what an HTTP answer
means, which targets may be called, the CloudEvents handshake's consent, the Standard Webhooks signature
and the body and headers of a delivery. No database, HTTP client, Kafka or mail."""
