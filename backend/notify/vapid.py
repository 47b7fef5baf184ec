"""VAPID keys (RFC 8292): reading the configured private key, deriving the public key browsers need."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


class VapidError(ValueError):
    """The configured key is not a P-256 private key in a form we read."""


def _b64url_decode(value: str) -> bytes:
    text = "".join(value.split()).rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise VapidError("not PEM and not base64url") from exc


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, or base64url of the raw 32-byte scalar or of DER."""
    text = value.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            data = _b64url_decode(text)
            if len(data) == 32:
                key = ec.derive_private_key(int.from_bytes(data, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise VapidError("not a readable private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise VapidError("not a P-256 (prime256v1) elliptic-curve key")
    return key


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    """The public key as browsers take it: base64url of the uncompressed point (65 bytes)."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url_encode(point)


def raw_private_key(key: ec.EllipticCurvePrivateKey) -> str:
    """The private scalar as base64url of 32 bytes (the form pywebpush reads from a string)."""
    return _b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))


def new_private_key_pem() -> str:
    """A fresh P-256 private key as PKCS#8 PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem.decode()
