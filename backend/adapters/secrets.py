"""Secrets kept in the database (robot keys, webhook signing keys): encrypted with a key from the environment.

Fernet (AES-128-CBC with HMAC-SHA256) under a key derived by HKDF from CHANNEL_SECRETS_KEY, or SECRET_KEY
when that is not set. A database dump alone does not give away where to post or how to sign.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretUnreadable(ValueError):
    """A stored secret that this installation's key cannot decrypt (the key changed)."""


class SecretBox:
    """Encrypts and decrypts short secrets with a key derived from the installation's secret."""

    def __init__(self, key_material: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"leasekeeper-channel-secrets", info=b"fernet"
        ).derive(key_material.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plain: str) -> str:
        """The secret, encrypted."""
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        """The secret, decrypted; SecretUnreadable when it was sealed under another key."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("the stored secret was encrypted with another key") from exc
