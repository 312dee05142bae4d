"""Signing secrets encrypted at rest: a copy of the database alone does not let anyone sign
as us. Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from FOLLOWTHROUGH_SECRET_KEY, so
there is no second key to manage; `info` keeps this key apart from any other use of that secret."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"followthrough webhooks"


class SecretBoxError(ValueError):
    """A sealed value this key cannot open (another FOLLOWTHROUGH_SECRET_KEY, or damaged)."""


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("secret_key: empty; set FOLLOWTHROUGH_SECRET_KEY")
        raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(raw))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError) as exc:
            # Never quote the value: it is a secret, sealed or not.
            raise SecretBoxError("a stored webhook key cannot be opened: FOLLOWTHROUGH_SECRET_KEY is not the "
                                 "one it was sealed with; restore that key or rotate the subscription's key") from exc
