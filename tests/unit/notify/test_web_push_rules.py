"""Web Push rules without I/O: subscription validation, VAPID keys from configuration."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend import config
from backend.config import Config, ProductionConfig, load_config
from backend.core.domain.errors import ValidationFailed
from backend.notify.domain.web_push import SubscriptionKeys
from backend.notify.vapid import load_private_key, public_key_of, raw_private_key

P256DH = base64.urlsafe_b64encode(b"\x04" + bytes(range(64))).rstrip(b"=").decode()
AUTH = base64.urlsafe_b64encode(bytes(16)).rstrip(b"=").decode()
ALLOWED = Config.PUSH_ALLOWED_HOSTS + ",127.0.0.1"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGh3",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
        "http://127.0.0.1:8123/push/a",  # listed by name: a push service stand-in
    ],
)
def test_endpoints_on_the_allowed_push_services_are_accepted(endpoint: str) -> None:
    assert SubscriptionKeys.checked(endpoint, P256DH, AUTH, ALLOWED).endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.2:8123/internal/admin",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/push",
        "https://push.example.com/a",
        "https://fcm.googleapis.com.evil.example/a",
        "https://user:pw@fcm.googleapis.com/fcm/send/abc",
        "http://fcm.googleapis.com/fcm/send/abc",  # a pattern or name still needs https
        "https://evilpush.services.mozilla.com/a",
        "https://fcm.googleapis.com:99999/a",
    ],
)
def test_any_other_address_is_refused_as_an_endpoint(endpoint: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        SubscriptionKeys.checked(endpoint, P256DH, AUTH, ALLOWED)
    assert set(refused.value.fields) == {"endpoint"}


@pytest.mark.parametrize(
    ("endpoint", "p256dh", "auth", "bad"),
    [
        ("http://push.example.com/a", P256DH, AUTH, {"endpoint"}),
        ("ftp://push.example.com/a", P256DH, AUTH, {"endpoint"}),
        ("https:///nohost", P256DH, AUTH, {"endpoint"}),
        ("https://[::1/a", P256DH, AUTH, {"endpoint"}),
        ("https://fcm.googleapis.com/a", P256DH[:-4], AUTH, {"keys.p256dh"}),
        (
            "https://fcm.googleapis.com/a",
            "A" + P256DH[1:],
            AUTH,
            {"keys.p256dh"},
        ),  # not an uncompressed point
        ("https://fcm.googleapis.com/a", P256DH, AUTH + "AAAA", {"keys.auth"}),
        ("https://fcm.googleapis.com/a", P256DH, "has+slash/", {"keys.auth"}),
        ("http://10.0.0.1/a", "", "", {"endpoint", "keys.p256dh", "keys.auth"}),
    ],
)
def test_each_bad_part_of_a_subscription_is_named(
    endpoint: str, p256dh: str, auth: str, bad: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        SubscriptionKeys.checked(endpoint, p256dh, auth, ALLOWED)
    assert set(refused.value.fields) == bad


def test_a_private_key_reads_the_same_from_pem_raw_and_der() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    der_text = base64.urlsafe_b64encode(der).rstrip(b"=").decode()
    expected = public_key_of(key)
    for text in (pem, raw_private_key(key), der_text):
        assert public_key_of(load_private_key(text)) == expected


def test_the_embedded_default_makes_a_vapid_key_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    for name in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT", "LEASEKEEPER_ENV"):
        monkeypatch.delenv(name, raising=False)
    first = load_config(Config)
    second = load_config(Config)
    assert (tmp_path / "vapid_private_key.pem").stat().st_mode & 0o777 == 0o600
    assert first["VAPID_PUBLIC_KEY"] == second["VAPID_PUBLIC_KEY"]
    assert first["VAPID_SUBJECT"] == "mailto:leasekeeper@localhost"


def test_production_needs_the_vapid_settings_and_a_matching_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-some-length")
    monkeypatch.setenv("LABEL_SIGNING_KEYS", "2026:a-label-key-of-some-length")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://lease.example.com")
    with pytest.raises(RuntimeError, match="VAPID_PRIVATE_KEY must be set"):
        load_config(ProductionConfig)
    key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    monkeypatch.setenv("VAPID_PRIVATE_KEY", raw_private_key(key))
    monkeypatch.setenv("VAPID_PUBLIC_KEY", public_key_of(other))
    monkeypatch.setenv("VAPID_SUBJECT", "mailto:ops@example.com")
    with pytest.raises(RuntimeError, match="does not belong"):
        load_config(ProductionConfig)
    monkeypatch.setenv("VAPID_PUBLIC_KEY", public_key_of(key))
    monkeypatch.setenv("VAPID_SUBJECT", "ops@example.com")
    with pytest.raises(RuntimeError, match="mailto: or https:"):
        load_config(ProductionConfig)
    monkeypatch.setenv("VAPID_SUBJECT", "https://ops.example.com")
    assert load_config(ProductionConfig)["VAPID_PUBLIC_KEY"] == public_key_of(key)
