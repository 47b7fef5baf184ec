"""What the group robots (企业微信, 钉钉) share: the markdown of a message and the reading of `errcode`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

import requests
from babel.support import NullTranslations

from backend.adapters.channels.http import fit_utf8, json_object, redact, short, status_result
from backend.core.domain.errors import N_
from backend.notify.domain.channels import RenderedMessage, SendResult

Translations = Callable[[str], NullTranslations]
# The label of the link to the notification in the app (also the e-mail's button).
OPEN_LABEL = N_("Open in LeaseKeeper")


def open_label(translations: Translations, locale: str) -> str:
    """The link label in the message's language."""
    return translations(locale).gettext(OPEN_LABEL)


def markdown(message: RenderedMessage, label: str, limit: int | None = None) -> str:
    """`### title`, the body and the link; past `limit` UTF-8 bytes the body is shortened, never the link."""
    head = f"### {message.title}\n\n"
    tail = f"\n\n[{label}]({message.url})" if message.url else ""
    text = head + message.body + tail
    if limit is None or len(text.encode("utf-8")) <= limit:
        return text
    room = limit - len((head + tail).encode("utf-8")) - len("…".encode())
    if room <= 0:
        return fit_utf8(text, limit)
    return head + fit_utf8(message.body, room) + "…" + tail


def robot_result(
    response: requests.Response, what: str, retried: Collection[int], secrets: Iterable[str | None]
) -> SendResult:
    """A robot's answer: HTTP 200 with errcode 0 is sent; a listed errcode passes; any other lasts."""
    if not 200 <= response.status_code < 300:
        return status_result(response, what)
    body = json_object(response)
    if body is None or not isinstance(body.get("errcode"), int):
        return SendResult.retry(f"{what}: the answer carried no errcode")
    code = body["errcode"]
    if code == 0:
        return SendResult.sent()
    error = short(redact(f"{what}: errcode {code} {body.get('errmsg') or ''}".rstrip(), secrets))
    return SendResult.retry(error) if code in retried else SendResult.give_up(error)
