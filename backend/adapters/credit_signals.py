"""The third-party credit information service over HTTP, configured from the environment.

`GET <CREDIT_SIGNALS_URL>?registration_number=<统一社会信用代码>` with `Authorization: Bearer <token>`;
the answer: `{"signals": [{"reference": …, "kind": "lawsuit", "title": …, "date": "2026-01-05",
"details": {…}}]}`. The host must be in the outbound allow-list, checked with where it resolves before every
call, as for webhooks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import requests

from backend.adapters.channels.http import ThreadSessions, json_object, short
from backend.adapters.channels.webhook import refusal
from backend.collections.domain.signals import FoundSignal, ProviderUnavailable, SignalKind
from backend.notify.domain.outbound import parse_allowed_hosts

USER_AGENT = "LeaseKeeper-Credit/1"


class HttpCreditSignals:
    """Looks companies up at the configured service, under the outbound allow-list."""

    def __init__(
        self, url: str, token: str, allowed_hosts: tuple[str, ...], timeout: float, name: str = "credit"
    ) -> None:
        self.url, self.name = url, name
        self._token, self._allowed, self._timeout = token, allowed_hosts, timeout
        self._sessions = ThreadSessions(USER_AGENT)

    def lookup(self, registration_number: str) -> Sequence[FoundSignal]:
        """The facts the service reports about the company; ProviderUnavailable when it cannot tell."""
        refused = refusal(self.url, self._allowed)
        if refused is not None:
            raise ProviderUnavailable(refused.error or "refused")
        host = urlsplit(self.url).hostname
        try:
            response = self._sessions.get().get(
                self.url,
                params={"registration_number": registration_number},
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=(self._timeout, self._timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"{host}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise ProviderUnavailable(f"{host}: HTTP {response.status_code}")
        body = json_object(response)
        items = body.get("signals") if body is not None else None
        if not isinstance(items, list):
            raise ProviderUnavailable(f"{host}: the answer has no list of signals")
        return [_signal(item, host or "?") for item in items]


def _signal(item: Any, host: str) -> FoundSignal:
    if not isinstance(item, Mapping) or not str(item.get("reference") or "").strip():
        raise ProviderUnavailable(f"{host}: a signal without a reference")
    try:
        observed = date.fromisoformat(str(item["date"])) if item.get("date") else None
    except ValueError:
        raise ProviderUnavailable(f"{host}: a signal's date is not a date") from None
    details = item.get("details")
    return FoundSignal(
        reference=short(str(item["reference"]), 100),
        kind=SignalKind.of(str(item.get("kind") or "")),
        title=short(str(item.get("title") or item["reference"]), 300),
        observed_on=observed,
        details=dict(details) if isinstance(details, Mapping) else {},
    )


def provider_from_config(config: Mapping[str, Any]) -> HttpCreditSignals | None:
    """The service CREDIT_SIGNALS_URL and CREDIT_SIGNALS_TOKEN name, None when they are not set."""
    url, token = config.get("CREDIT_SIGNALS_URL"), config.get("CREDIT_SIGNALS_TOKEN")
    if not url or not token:
        return None
    return HttpCreditSignals(
        str(url),
        str(token),
        parse_allowed_hosts(str(config.get("OUTBOUND_ALLOWED_HOSTS") or "")),
        float(config.get("CHANNEL_TIMEOUT_SECONDS", 10)),
        str(config.get("CREDIT_SIGNALS_PROVIDER") or "credit"),
    )
