"""Sending Web Push messages with VAPID (pywebpush), outside any transaction, and recording the outcome."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from requests import RequestException

from backend.notify.domain.notifications import TITLES
from backend.notify.domain.web_push import BODIES, PushMessage, PushOutcome, PushTarget
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
    params = {key: value for key, value in message.params.items() if isinstance(value, str | int)}
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
    workers: int
    translations_dir: str
    default_locale: str

    @classmethod
    def from_config(cls, config: Any) -> PushSettings:
        """Read the settings from the application's configuration."""
        return cls(
            private_key=config["VAPID_PRIVATE_KEY"],
            subject=config["VAPID_SUBJECT"],
            ttl_seconds=int(config["PUSH_TTL_SECONDS"]),
            timeout_seconds=float(config["PUSH_TIMEOUT_SECONDS"]),
            workers=int(config["PUSH_WORKERS"]),
            translations_dir=config["BABEL_TRANSLATION_DIRECTORIES"],
            default_locale=config["BABEL_DEFAULT_LOCALE"],
        )


Outcome = tuple[int, PushOutcome]


class PushSender:
    """Encrypts a message for one subscription and posts it to the push service with a VAPID JWT."""

    def __init__(self, settings: PushSettings) -> None:
        self._settings = settings
        self._vapid = Vapid.from_string(raw_private_key(load_private_key(settings.private_key)))
        self.catalogue = Catalogue(settings.translations_dir, settings.default_locale)

    def send(self, message: PushMessage, target: PushTarget) -> PushOutcome:
        """Send to one subscription: delivered, gone (404/410: the browser dropped it) or failed."""
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

    def send_all(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        """Send every message to each of its targets; one outcome per subscription and message."""
        return [
            (target.subscription_id, self.send(message, target))
            for message in messages
            for target in message.targets
        ]


def _topic(tag: str) -> str:
    """A Topic header value (at most 32 URL-safe characters): a newer push replaces an undelivered one."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in tag)[:32]


OutcomeRecorder = Callable[[Sequence[Outcome], Any, datetime], Any]


class PushDispatcher:
    """Sends pushes on a small thread pool once their transaction committed; records the outcomes."""

    def __init__(
        self,
        sender: PushSender,
        unit_of_work: Callable[[], AbstractContextManager[Any]],
        record: OutcomeRecorder,
        workers: int = 2,
    ) -> None:
        self.sender = sender
        self._unit_of_work = unit_of_work
        self._record = record
        self._workers = max(1, workers)
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def dispatch(self, messages: Sequence[PushMessage]) -> None:
        """Queue the messages for sending; returns at once."""
        batch = list(messages)
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="web-push")
            future = self._executor.submit(self._deliver, batch)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _deliver(self, messages: list[PushMessage]) -> None:
        try:
            self.deliver_now(messages)
        except Exception:
            log.exception("delivering %d push message(s) failed", len(messages))

    def deliver_now(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        """Send in this thread and record the outcomes in a unit of work of its own."""
        outcomes = self.sender.send_all(messages)
        if outcomes:
            with self._unit_of_work() as uow:
                self._record(outcomes, uow, datetime.now(UTC))
        return outcomes

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every queued push is sent and recorded; False if the time ran out."""
        with self._lock:
            pending = set(self._pending)
        if not pending:
            return True
        _done, not_done = wait(pending, timeout=timeout)
        return not not_done

    def shutdown(self) -> None:
        """Finish what is queued and stop the threads."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
