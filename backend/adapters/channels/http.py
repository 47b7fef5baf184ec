"""What the HTTP channels share: one session per thread, a POST that never raises, redaction, short errors."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from backend.notify.domain.channels import SendResult
from backend.notify.domain.outbound import is_internal_address

log = logging.getLogger("leasekeeper.channels")

# Query parameters that carry a credential; their values never reach an error string or a log line.
SECRET_PARAMS = frozenset({"key", "access_token", "sign", "apikey", "token", "secret"})
MAX_ERROR_LENGTH = 200
RETRIED_STATUSES = frozenset({408, 429})


def resolves_internally(host: str, port: int) -> bool | None:
    """Whether any address the host resolves to is private, loopback, link-local or reserved; None when it
    does not resolve. Checked before every send to a host a user chose, after the allow-list."""
    try:
        resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return any(is_internal_address(str(info[4][0])) for info in resolved)


class ThreadSessions:
    """One `requests.Session` per thread: a session's connection pool is not shared across threads."""

    def __init__(self, user_agent: str = "LeaseKeeper/1") -> None:
        self._local = threading.local()
        self._user_agent = user_agent

    def get(self) -> requests.Session:
        """This thread's session, made on first use."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self._user_agent
            self._local.session = session
        return session


def redact_url(url: str) -> str:
    """The URL with the values of credential parameters (key, access_token, sign, …) masked."""
    parts = urlsplit(url)
    query = [
        (name, "***" if name.lower() in SECRET_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*"), netloc=parts.hostname or ""))


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """The text with every given secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def short(text: str, limit: int = MAX_ERROR_LENGTH) -> str:
    """One line of at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def host_of(url: str) -> str:
    """The host a URL names, for an error string (never the path or the query)."""
    return urlsplit(url).hostname or "?"


def retry_after(response: requests.Response) -> float | None:
    """The seconds a `Retry-After` header asks for; None when absent or given as a date."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0)


def post(
    sessions: ThreadSessions, url: str, timeout: float, what: str, **kwargs: Any
) -> requests.Response | SendResult:
    """POST once without following redirects: the response, or the failure as a result (never raises).

    `what` names the receiver in the error ("WeCom robot at qyapi.weixin.qq.com"); the URL is never quoted,
    since requests' own messages carry its query, where the robot keys are.
    """
    try:
        return sessions.get().post(url, timeout=(timeout, timeout), allow_redirects=False, **kwargs)
    except requests.exceptions.SSLError:
        failure = SendResult.give_up(f"{what}: the server's TLS certificate is not trusted")
    except requests.Timeout:
        failure = SendResult.retry(f"{what}: no answer within {timeout:g} s")
    except requests.ConnectionError:
        failure = SendResult.retry(f"{what}: the connection was refused or reset")
    except requests.RequestException as exc:
        failure = SendResult.retry(f"{what}: the request failed ({type(exc).__name__})")
    log.info("POST %s failed: %s", redact_url(url), failure.error)
    return failure


def status_result(response: requests.Response, what: str) -> SendResult:
    """A non-2xx answer: 408, 429 and 5xx pass (honouring Retry-After), anything else lasts."""
    status = response.status_code
    error = f"{what}: HTTP {status} {response.reason or ''}".rstrip()
    if status in RETRIED_STATUSES or status >= 500:
        return SendResult.retry(error, retry_after(response))
    return SendResult.give_up(error)


def json_object(response: requests.Response) -> dict[str, Any] | None:
    """The response's JSON object, None when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def fit_utf8(text: str, limit: int) -> str:
    """The longest start of the text that is at most `limit` bytes in UTF-8, never cutting a character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")
