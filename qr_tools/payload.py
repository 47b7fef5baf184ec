"""The label payload: a signed URL into the app, `<base>/a/<asset code>?s=<version><signature>`.

A phone's ordinary camera opens the URL (the asset card); the in-app scanner parses it offline. The
signature is an HMAC-SHA256 over (version, asset code), truncated to 48 bits: enough to catch forged or
mistyped labels, short enough to keep the QR code at a low version. Presence is proven by GPS, not by the
label, so a longer signature would buy nothing but a denser code.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

PAYLOAD_VERSION = 1
SUPPORTED_VERSIONS = frozenset({PAYLOAD_VERSION})
SIGNATURE_BYTES = 6
# base64url of SIGNATURE_BYTES bytes, without padding.
_SIGNATURE_CHARS = 8
LABEL_PATH = "/a/"
ASSET_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SIGNATURE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
MIN_SECRET_LENGTH = 16


class Rejection(enum.StrEnum):
    """Why a scanned code is not a valid label of this deployment."""

    NOT_A_URL = "not_a_url"
    FOREIGN = "foreign"
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    BAD_SIGNATURE = "bad_signature"

    @property
    def description(self) -> str:
        """A sentence for people reading a verification report."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Rejection.NOT_A_URL: "not a web address (a payment code or some other QR code)",
    Rejection.FOREIGN: "a web address, but not a label of this installation",
    Rejection.MALFORMED: "a label address with a missing, truncated or garbled asset code or signature",
    Rejection.UNSUPPORTED_VERSION: "a label format version this installation does not know",
    Rejection.BAD_SIGNATURE: "the signature does not match the asset code with any valid key",
}


@dataclass(frozen=True)
class SigningKey:
    """One label key: an id to name it by and the secret itself."""

    key_id: str
    secret: bytes

    def __repr__(self) -> str:
        return f"SigningKey({self.key_id!r}, <secret>)"


@dataclass(frozen=True)
class Keyring:
    """The valid label keys, in order: the first signs new labels, every one verifies."""

    keys: tuple[SigningKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyring needs at least one key")
        ids = [key.key_id for key in self.keys]
        if len(set(ids)) != len(ids):
            raise ValueError("key ids must be unique")

    @property
    def signing_key(self) -> SigningKey:
        """The key new labels are signed with."""
        return self.keys[0]


def parse_keyring(text: str) -> Keyring:
    """Keys from `kid:secret,kid:secret` (the first signs); ValueError names what is wrong."""
    keys = []
    for item in text.split(","):
        key_id, separator, secret = item.strip().partition(":")
        if not separator or not _KEY_ID_PATTERN.match(key_id):
            raise ValueError(
                "expected kid:secret pairs separated by commas; a kid is letters, digits, - or _"
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the secret of key {key_id!r} is shorter than {MIN_SECRET_LENGTH} characters")
        keys.append(SigningKey(key_id, secret.encode()))
    return Keyring(tuple(keys))


@dataclass(frozen=True)
class LabelScan:
    """What a scanned code says: the asset code, which key and version signed it, or why it is refused."""

    text: str
    asset_code: str | None = None
    version: int | None = None
    key_id: str | None = None
    rejection: Rejection | None = None

    @property
    def verified(self) -> bool:
        """True when the code is a label of this installation with a valid signature."""
        return self.rejection is None


def signature(key: SigningKey, asset_code: str, version: int = PAYLOAD_VERSION) -> str:
    """The truncated HMAC of (version, asset code), base64url without padding."""
    digest = hmac.new(key.secret, f"{version}\x00{asset_code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:SIGNATURE_BYTES]).decode().rstrip("=")


def build(base_url: str, asset_code: str, keyring: Keyring) -> str:
    """The label URL for an asset, signed with the keyring's first key."""
    if not ASSET_CODE_PATTERN.match(asset_code):
        raise ValueError(f"not a printable asset code: {asset_code!r}")
    sig = signature(keyring.signing_key, asset_code)
    return f"{base_url.rstrip('/')}{LABEL_PATH}{asset_code}?s={PAYLOAD_VERSION}{sig}"


def parse(text: str, keyring: Keyring, base_url: str) -> LabelScan:
    """Read a scanned code: the asset code and whether its signature verifies, or why it is refused."""
    try:
        url = urlsplit(text.strip())
        base = urlsplit(base_url.rstrip("/"))
    except ValueError:
        return LabelScan(text, rejection=Rejection.NOT_A_URL)
    if url.scheme.lower() not in {"http", "https"} or not url.netloc:
        return LabelScan(text, rejection=Rejection.NOT_A_URL)
    prefix = base.path + LABEL_PATH
    same_site = url.scheme.lower() == base.scheme.lower() and url.netloc.lower() == base.netloc.lower()
    if not same_site or not url.path.startswith(prefix):
        return LabelScan(text, rejection=Rejection.FOREIGN)
    asset_code = url.path.removeprefix(prefix)
    query = _single_parameter(url.query, "s")
    if not ASSET_CODE_PATTERN.match(asset_code) or query is None or url.fragment:
        return LabelScan(text, rejection=Rejection.MALFORMED)
    return _check_signature(text, asset_code, query, keyring)


def _single_parameter(query: str, name: str) -> str | None:
    """The value of the query's only parameter when it is `name`, else None."""
    key, separator, value = query.partition("=")
    if key != name or not separator or "&" in value:
        return None
    return value


def _check_signature(text: str, asset_code: str, value: str, keyring: Keyring) -> LabelScan:
    version_text, sig = value[:1], value[1:]
    if not version_text.isdigit():
        return LabelScan(text, asset_code, rejection=Rejection.MALFORMED)
    version = int(version_text)
    if version not in SUPPORTED_VERSIONS:
        return LabelScan(text, asset_code, version, rejection=Rejection.UNSUPPORTED_VERSION)
    if len(sig) != _SIGNATURE_CHARS or not _SIGNATURE_PATTERN.match(sig) or not _decodes(sig):
        return LabelScan(text, asset_code, version, rejection=Rejection.MALFORMED)
    key_id = _signing_key_id(asset_code, version, sig, keyring.keys)
    if key_id is None:
        return LabelScan(text, asset_code, version, rejection=Rejection.BAD_SIGNATURE)
    return LabelScan(text, asset_code, version, key_id)


def _decodes(sig: str) -> bool:
    try:
        base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    except (binascii.Error, ValueError):
        return False
    return True


def _signing_key_id(asset_code: str, version: int, sig: str, keys: Iterable[SigningKey]) -> str | None:
    """The id of the key that made this signature, trying every valid key in constant time each."""
    for key in keys:
        if hmac.compare_digest(signature(key, asset_code, version), sig):
            return key.key_id
    return None
