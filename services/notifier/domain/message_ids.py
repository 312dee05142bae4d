"""Message-IDs: one per (notice, recipient), derived, so a resend after a crash carries the
same one and the recipient's mail client recognises it. The ledger stores it and the email
carries it; both take it from here."""

from __future__ import annotations

import uuid

MESSAGE_NS = uuid.UUID("1b0e5f1c-3f8a-4c55-8f0e-2d7f6c9b5a20")


def message_id(notice_id: str, recipient: str) -> str:
    return f"<{uuid.uuid5(MESSAGE_NS, f'{notice_id}:{recipient.lower()}')}@followthrough.invalid>"


def digest_message_id(notice_ids: list[str], recipient: str) -> str:
    return message_id(",".join(sorted(notice_ids)), recipient)
