"""Which topics and event types are public: what a subscription may ask for (docs/contract.md §8.3).
Notices, deliveries and the DLQ name staff and are never sent."""

from __future__ import annotations

from schemas.events import COMMITMENTS, EVENT_TYPES, PANELS, PULSES, RECOMMENDATIONS, REPLIES

PUBLIC_TOPICS: tuple[str, ...] = (PANELS, RECOMMENDATIONS, COMMITMENTS, REPLIES, PULSES)
PUBLIC_TYPES: frozenset[str] = frozenset(t for t, spec in EVENT_TYPES.items() if spec.topic in PUBLIC_TOPICS)
ALL = "*"
