"""`build_adapters`: one adapter per channel this package serves, each set up from the configuration."""

from __future__ import annotations

from typing import Any

from backend.adapters.channels import (
    DingtalkAdapter,
    EmailAdapter,
    LoggingSmsAdapter,
    WebhookAdapter,
    WecomAdapter,
    build_adapters,
)
from backend.config import TestConfig, load_config
from backend.notify.domain.channels import ChannelKind


def test_every_shared_and_personal_channel_but_inbox_and_push_gets_an_adapter(translations: Any) -> None:
    config = load_config(
        TestConfig, {"OUTBOUND_ALLOWED_HOSTS": "hooks.example.com", "SMTP_SECURITY": "starttls"}
    )

    adapters = build_adapters(config, translations)

    assert set(adapters) == {
        ChannelKind.EMAIL,
        ChannelKind.WECOM,
        ChannelKind.DINGTALK,
        ChannelKind.WEBHOOK,
        ChannelKind.SMS,
    }
    assert {kind: type(adapter) for kind, adapter in adapters.items()} == {
        ChannelKind.EMAIL: EmailAdapter,
        ChannelKind.WECOM: WecomAdapter,
        ChannelKind.DINGTALK: DingtalkAdapter,
        ChannelKind.WEBHOOK: WebhookAdapter,
        ChannelKind.SMS: LoggingSmsAdapter,
    }
    assert all(adapter.kind is kind for kind, adapter in adapters.items())
    email, webhook = adapters[ChannelKind.EMAIL], adapters[ChannelKind.WEBHOOK]
    assert isinstance(email, EmailAdapter)
    assert email.settings.security == "starttls"
    assert isinstance(webhook, WebhookAdapter)
    assert (webhook.settings.allowed_hosts, webhook.settings.timeout_seconds) == (
        ("hooks.example.com",),
        10.0,
    )
