"""Sending the outbox: Web Push with VAPID (pywebpush) and every other channel, outside any transaction."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from babel.core import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from requests import RequestException

from backend.adapters.channels.http import resolves_internally
from backend.adapters.secrets import SecretBox, SecretUnreadable
from backend.notify.domain.channels import Address, ChannelAdapter, ChannelKind, RenderedMessage, SendResult
from backend.notify.domain.notifications import TITLES, rendered_params
from backend.notify.domain.outbound import is_ip_literal, is_listed_exactly, parse_allowed_hosts
from backend.notify.domain.outbox import DeliveryState
from backend.notify.domain.web_push import BODIES, PushMessage, PushOutcome, PushTarget, is_push_service
from backend.notify.services import outbox
from backend.notify.vapid import load_private_key, raw_private_key

log = logging.getLogger("leasekeeper.push")
GONE_STATUSES = frozenset({404, 410})


class Catalogue:
    """The message catalogue per language, for text rendered outside a request."""

    def __init__(self, directory: str, default_locale: str = "en") -> None:
        self._directory = directory
        self._default = default_locale
        self._loaded: dict[str, NullTranslations] = {}
        self._lock = threading.Lock()

    def translations(self, locale: str | None) -> NullTranslations:
        """The catalogue of a language (English, untranslated, when there is none)."""
        name = locale or self._default
        with self._lock:
            if name not in self._loaded:
                try:
                    parsed = Locale.parse(name)
                except (ValueError, UnknownLocaleError):
                    parsed = Locale.parse(self._default)
                self._loaded[name] = Translations.load(self._directory, [parsed])
            return self._loaded[name]

    def render(self, template: str, params: dict[str, Any], locale: str | None) -> str:
        """A template in the language, filled from the parameters (the English template if that fails)."""
        translated = self.translations(locale).gettext(template)
        try:
            return translated % params if params else translated
        except (KeyError, ValueError, TypeError):
            return template % params if params else template


def payload(message: PushMessage, locale: str | None, catalogue: Catalogue) -> dict[str, Any]:
    """The JSON a service worker receives: the text in the recipient's language, where to go, what it is."""
    params = rendered_params(message.params, catalogue.translations(locale).gettext)
    return {
        "title": catalogue.render(TITLES[message.kind], params, locale),
        "body": catalogue.render(BODIES[message.kind], params, locale) if message.kind in BODIES else "",
        "url": message.url,
        "tag": message.tag,
        "kind": message.kind.value,
        "subject_id": message.subject_id,
    }


@dataclass(frozen=True)
class PushSettings:
    """What sending needs from configuration."""

    private_key: str
    subject: str
    ttl_seconds: int
    timeout_seconds: float
    translations_dir: str
    default_locale: str
    allowed_hosts: str = ""

    @classmethod
    def from_config(cls, config: Any) -> PushSettings:
        """Read the settings from the application's configuration."""
        return cls(
            private_key=config["VAPID_PRIVATE_KEY"],
            subject=config["VAPID_SUBJECT"],
            ttl_seconds=int(config["PUSH_TTL_SECONDS"]),
            timeout_seconds=float(config["PUSH_TIMEOUT_SECONDS"]),
            translations_dir=config["BABEL_TRANSLATION_DIRECTORIES"],
            default_locale=config["BABEL_DEFAULT_LOCALE"],
            allowed_hosts=config["PUSH_ALLOWED_HOSTS"],
        )


class PushSender:
    """Encrypts a message for one subscription and posts it to the push service with a VAPID JWT."""

    def __init__(self, settings: PushSettings) -> None:
        self._settings = settings
        self._vapid = Vapid.from_string(raw_private_key(load_private_key(settings.private_key)))
        self.catalogue = Catalogue(settings.translations_dir, settings.default_locale)

    def send(self, message: PushMessage, target: PushTarget) -> PushOutcome:
        """Send to one subscription: delivered, gone (404/410: the browser dropped it), failed, or refused
        (the endpoint is not on an allowed push service, or its host resolves into our own network)."""
        refusal = self._refusal(target.endpoint)
        if refusal is not None:
            log.warning("push to subscription %s refused: %s", target.subscription_id, refusal)
            return PushOutcome.REFUSED
        body = json.dumps(payload(message, target.locale, self.catalogue), ensure_ascii=False)
        try:
            webpush(
                {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                data=body,
                vapid_private_key=self._vapid,
                vapid_claims={"sub": self._settings.subject},
                ttl=self._settings.ttl_seconds,
                timeout=self._settings.timeout_seconds,
                headers={"Urgency": "high", "Topic": _topic(message.tag)},
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in GONE_STATUSES:
                log.info("push subscription %s is gone (%s)", target.subscription_id, status)
                return PushOutcome.GONE
            log.warning("push to subscription %s failed: %s", target.subscription_id, status or exc)
            return PushOutcome.FAILED
        except (RequestException, ValueError, TypeError) as exc:
            log.warning("push to subscription %s failed: %s", target.subscription_id, exc)
            return PushOutcome.FAILED
        return PushOutcome.DELIVERED

    def _refusal(self, endpoint: str) -> str | None:
        """Why the endpoint may not be posted to, None when it may (checked again at every send: the
        allow-list may have shrunk, and a name may resolve elsewhere than when it was subscribed).

        Every name is resolved and refused when it points into a private, loopback or link-local network;
        only an address listed literally (a push service stand-in on a test machine) is taken as it is.
        """
        if not is_push_service(endpoint, self._settings.allowed_hosts):
            return "the endpoint is not on an allowed push service (PUSH_ALLOWED_HOSTS)"
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        if is_ip_literal(host) and is_listed_exactly(host, parse_allowed_hosts(self._settings.allowed_hosts)):
            return None
        if resolves_internally(host, parts.port or 443):
            return "the push service's name resolves to a private or loopback address"
        return None  # a name that does not resolve cannot be reached either: the push fails, is retried


def _topic(tag: str) -> str:
    """A Topic header value (at most 32 URL-safe characters): a newer push replaces an undelivered one."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in tag)[:32]


class OutboxDeliverer:
    """Sends the outbox's due deliveries on a small thread pool and records each outcome.

    Claims a batch in one transaction, sends every row outside any transaction (each on its channel's
    adapter), records the batch in one more. Used by the worker's delivery loop, and by a channel test to
    send one row at once.
    """

    def __init__(
        self,
        unit_of_work: Callable[[], AbstractContextManager[Any]],
        adapters: Mapping[ChannelKind, ChannelAdapter],
        push: PushSender | None,
        secrets: SecretBox,
        base_url: str,
        worker: str = "",
        threads: int = 8,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._unit_of_work = unit_of_work
        self._adapters = dict(adapters)
        self._push = push
        self._secrets = secrets
        self._base_url = base_url.rstrip("/")
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self._threads = max(1, threads)
        self.clock = clock
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.catalogue = push.catalogue if push is not None else None

    def deliver_due(self) -> int:
        """Claim, send and record one batch of due deliveries; returns how many were attempted."""
        return len(self._deliver(None))

    def deliver_now(self, delivery_ids: Sequence[int]) -> dict[int, tuple[DeliveryState, str | None]]:
        """Send these deliveries now (a test message); each one's new state and error."""
        return self._deliver(list(delivery_ids)) if delivery_ids else {}

    def _deliver(self, only: list[int] | None) -> dict[int, tuple[DeliveryState, str | None]]:
        with self._unit_of_work() as uow:
            claimed = outbox.claim(self.worker, uow, self.clock(), only=only)
        if not claimed.deliveries:
            return {}
        results = list(self._pool().map(lambda d: (d, self._send(d, claimed.addresses)), claimed.deliveries))
        with self._unit_of_work() as uow:
            return outbox.record(claimed.token, results, uow, self.clock())

    def deliver_until_idle(self, limit: int = 100) -> int:
        """Deliver batch after batch until nothing is due (tests, `worker --once`); returns the attempts."""
        total = 0
        for _ in range(limit):
            sent = self.deliver_due()
            if not sent:
                break
            total += sent
        return total

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="deliveries")
            return self._executor

    def _send(self, delivery: Any, addresses: Mapping[str, Mapping[int, Any]]) -> SendResult:
        try:
            if delivery.channel is ChannelKind.WEB_PUSH:
                return self._send_push(delivery, addresses.get("subscriptions", {}))
            adapter = self._adapters.get(delivery.channel)
            if adapter is None:
                return SendResult.give_up(
                    f"no {delivery.channel.value} channel is set up on this installation"
                )
            address = self._address(delivery, addresses)
            if address is None:
                return SendResult.give_up("the recipient or the channel no longer exists")
            return adapter.send(self.render(delivery), address)
        except SecretUnreadable:
            return SendResult.give_up("the channel's secret cannot be read: enter it again")
        except Exception as exc:  # an adapter bug must not lose the row: it is tried again
            log.exception("sending delivery %s failed unexpectedly", delivery.id)
            return SendResult.retry(f"unexpected error: {type(exc).__name__}")

    def _address(self, delivery: Any, addresses: Mapping[str, Mapping[int, Any]]) -> Address | None:
        if delivery.endpoint_id is not None:
            endpoint = addresses.get("endpoints", {}).get(delivery.endpoint_id)
            if endpoint is None:
                return None
            secret = self._secrets.open(endpoint.secret_encrypted) if endpoint.secret_encrypted else None
            return Address(
                delivery.channel, self._secrets.open(endpoint.target_encrypted), secret, endpoint.name
            )
        user = addresses.get("users", {}).get(delivery.user_id)
        if not delivery.target:
            return None
        return Address(
            delivery.channel, delivery.target, None, user.display_name if user is not None else None
        )

    def _send_push(self, delivery: Any, subscriptions: Mapping[int, Any]) -> SendResult:
        subscription = subscriptions.get(delivery.subscription_id)
        if subscription is None or subscription.disabled_at is not None or self._push is None:
            return SendResult.give_up("gone: the push subscription was removed")
        message = PushMessage(
            delivery.kind, dict(delivery.params), (), delivery.subject_type, delivery.subject_id
        )
        target = PushTarget(
            subscription.id, subscription.endpoint, subscription.p256dh, subscription.auth, delivery.locale
        )
        outcome = self._push.send(message, target)
        if outcome is PushOutcome.DELIVERED:
            return SendResult.sent()
        if outcome is PushOutcome.GONE:
            return SendResult.give_up("gone: the browser dropped the subscription")
        if outcome is PushOutcome.REFUSED:
            # Disabled like a dropped subscription: it is not tried again, and nobody is alerted.
            return SendResult.give_up("gone: the endpoint is not on an allowed push service")
        return SendResult.retry("the push service did not accept the push")

    def render(self, delivery: Any) -> RenderedMessage:
        """The delivery's text in its language, with an absolute link into the app."""
        catalogue = self.catalogue
        translate = catalogue.translations(delivery.locale).gettext if catalogue is not None else str
        params = rendered_params(delivery.params or {}, translate)
        title = TITLES[delivery.kind]
        body = BODIES.get(delivery.kind, "")
        if catalogue is not None:
            title = catalogue.render(title, params, delivery.locale)
            body = catalogue.render(body, params, delivery.locale) if body else ""
        message = PushMessage(delivery.kind, params, (), delivery.subject_type, delivery.subject_id)
        return RenderedMessage(
            delivery_id=delivery.id,
            kind=delivery.kind.value,
            locale=delivery.locale,
            title=title,
            body=body,
            url=f"{self._base_url}{message.url}",
            project_id=delivery.project_id,
            subject_type=delivery.subject_type,
            subject_id=delivery.subject_id,
            params=dict(delivery.params or {}),
            created_at=delivery.created_at.isoformat() if delivery.created_at else "",
        )

    def shutdown(self) -> None:
        """Finish what is being sent and stop the threads."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
