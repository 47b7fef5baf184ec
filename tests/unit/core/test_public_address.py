"""Where labels and links point: required in production, derived from the served address elsewhere."""

from __future__ import annotations

import pytest

from backend.config import Config, ProductionConfig, load_config
from backend.field.services.labels import LabelSettings
from backend.notify.vapid import load_private_key, public_key_of

VAPID_KEY = "-Br5hgbgfOxTUXzysklMkhazcsdUVroYtiqPo2wBhnM"  # the tests' key, never deployed

PRODUCTION_SECRETS = {
    "SECRET_KEY": "a-production-secret-of-some-length",
    "LABEL_SIGNING_KEYS": "2026:a-label-key-of-some-length",
    "VAPID_PRIVATE_KEY": VAPID_KEY,
    "VAPID_PUBLIC_KEY": public_key_of(load_private_key(VAPID_KEY)),
    "VAPID_SUBJECT": "mailto:ops@example.com",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("PUBLIC_BASE_URL", "HOST", "PORT", "LEASEKEEPER_ENV", "VAPID_PUBLIC_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_the_public_address(environment: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION_SECRETS.items():
        environment.setenv(name, value)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL must be set"):
        load_config(ProductionConfig)
    environment.setenv("PUBLIC_BASE_URL", "lease.example.com")
    with pytest.raises(RuntimeError, match="give an http"):
        load_config(ProductionConfig)
    environment.setenv("PUBLIC_BASE_URL", "https://lease.example.com/")
    settings = load_config(ProductionConfig)
    assert (settings["PUBLIC_BASE_URL"], settings["PUBLIC_BASE_URL_DERIVED"]) == (
        "https://lease.example.com",
        False,
    )


def test_in_development_the_address_follows_the_served_host_and_port(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("PORT", "8100")
    settings = load_config(Config)
    assert (settings["PUBLIC_BASE_URL"], settings["PUBLIC_BASE_URL_DERIVED"]) == (
        "http://127.0.0.1:8100",
        True,
    )
    assert LabelSettings.from_config(settings).is_loopback
    environment.setenv("HOST", "192.168.1.20")
    served = LabelSettings.from_config(load_config(Config))
    assert (served.base_url, served.is_loopback) == ("http://192.168.1.20:8100", False)


def test_a_configured_address_is_kept(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("PUBLIC_BASE_URL", "https://lease.example.com")
    environment.setenv("PORT", "8100")
    labels = LabelSettings.from_config(load_config(Config))
    assert (labels.base_url, labels.is_loopback) == ("https://lease.example.com", False)
