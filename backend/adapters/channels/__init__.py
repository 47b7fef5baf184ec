"""Notification channels beyond the inbox and Web Push: e-mail, SMS, 企业微信, 钉钉 and webhooks.

Each adapter implements `ChannelAdapter` (backend/notify/domain/channels.py): one `send` that answers sent,
retry or give up, and never raises for a delivery problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.adapters.channels.dingtalk import DingtalkAdapter, DingtalkSettings
from backend.adapters.channels.email import EmailAdapter, EmailSettings
from backend.adapters.channels.robots import Translations
from backend.adapters.channels.sms import LoggingSmsAdapter, YunpianSmsAdapter, sms_adapter
from backend.adapters.channels.webhook import WebhookAdapter, WebhookSettings
from backend.adapters.channels.wecom import WecomAdapter, WecomSettings
from backend.notify.domain.channels import ChannelAdapter, ChannelKind

__all__ = [
    "DingtalkAdapter",
    "EmailAdapter",
    "LoggingSmsAdapter",
    "WebhookAdapter",
    "WecomAdapter",
    "YunpianSmsAdapter",
    "build_adapters",
    "sms_adapter",
]


def build_adapters(
    config: Mapping[str, Any], translations: Translations
) -> dict[ChannelKind, ChannelAdapter]:
    """Every channel adapter this package provides, set up from the configuration.

    `translations` gives a language's message catalogue, for the text around a message (the e-mail's
    chrome, the robots' link label).
    """
    return {
        ChannelKind.EMAIL: EmailAdapter(EmailSettings.from_config(config), translations),
        ChannelKind.WECOM: WecomAdapter(WecomSettings.from_config(config), translations),
        ChannelKind.DINGTALK: DingtalkAdapter(DingtalkSettings.from_config(config), translations),
        ChannelKind.WEBHOOK: WebhookAdapter(WebhookSettings.from_config(config)),
        ChannelKind.SMS: sms_adapter(config),
    }
