"""E-mail over SMTP: a plain-text and an HTML part rendered from the templates, in the reader's language.

A reply in 4xx, a refused or reset connection and a timeout pass; a reply in 5xx (a refused recipient or
sender, a failed login) and a server certificate that does not verify last.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import jinja2
from babel.support import NullTranslations

from backend.adapters.channels.http import redact, short
from backend.notify.domain.channels import Address, ChannelKind, RenderedMessage, SendResult, Verdict

TEMPLATES = Path(__file__).resolve().parents[2] / "notify" / "templates" / "email"
SECURITIES = ("none", "starttls", "ssl")
FROM_NAME = "LeaseKeeper"

Translations = Callable[[str], NullTranslations]


@dataclass(frozen=True)
class EmailSettings:
    """The SMTP server, how to reach it safely, and the sender."""

    host: str = "localhost"
    port: int = 25
    mail_from: str = "leasekeeper@localhost"
    security: str = "none"  # none | starttls | ssl
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None  # PEM bundle to verify the server with; None: the system's trust store
    timeout_seconds: float = 15.0

    def __post_init__(self) -> None:
        if self.security not in SECURITIES:
            raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITIES)}, not {self.security!r}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> EmailSettings:
        """Read SMTP_*, MAIL_FROM."""
        return cls(
            host=str(config.get("SMTP_HOST") or "localhost"),
            port=int(config.get("SMTP_PORT") or 25),
            mail_from=str(config.get("MAIL_FROM") or "leasekeeper@localhost"),
            security=str(config.get("SMTP_SECURITY") or "none").lower(),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            ca_file=config.get("SMTP_CA_FILE") or None,
            timeout_seconds=float(config.get("SMTP_TIMEOUT_SECONDS") or 15),
        )


def content_language(locale: str) -> str:
    """The language tag of a message: `zh-CN` for Chinese, `en` otherwise."""
    return "zh-CN" if locale.lower().replace("-", "_").startswith("zh") else "en"


class EmailRenderer:
    """The e-mail templates, with one Jinja environment per language (each set up once, then read-only)."""

    def __init__(self, translations: Translations, templates: Path = TEMPLATES) -> None:
        self._translations = translations
        self._templates = templates
        self._environments: dict[str, jinja2.Environment] = {}
        self._lock = threading.Lock()

    def render(self, message: RenderedMessage) -> tuple[str, str]:
        """The plain-text and the HTML body of the message."""
        environment = self._environment(message.locale)
        context = {
            "title": message.title,
            "body": message.body,
            "url": message.url,
            "language": content_language(message.locale),
        }
        text = environment.get_template("notification.txt.j2").render(context)
        html = environment.get_template("notification.html.j2").render(context)
        return text, html

    def _environment(self, locale: str) -> jinja2.Environment:
        with self._lock:
            environment = self._environments.get(locale)
            if environment is None:
                environment = jinja2.Environment(
                    loader=jinja2.FileSystemLoader(self._templates),
                    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default=False),
                    extensions=["jinja2.ext.i18n"],
                    undefined=jinja2.StrictUndefined,
                    keep_trailing_newline=True,
                )
                environment.install_gettext_translations(  # type: ignore[attr-defined]
                    self._translations(locale), newstyle=True
                )
                self._environments[locale] = environment
            return environment


class EmailAdapter:
    """Sends a notification as one e-mail over a fresh SMTP connection (so any thread may call it)."""

    kind = ChannelKind.EMAIL

    def __init__(self, settings: EmailSettings, translations: Translations) -> None:
        self.settings = settings
        self.renderer = EmailRenderer(translations)

    def build(self, message: RenderedMessage, address: Address) -> EmailMessage:
        """The e-mail: multipart/alternative, text then HTML, both UTF-8; ValueError for a bad address."""
        text, html = self.renderer.render(message)
        mail = EmailMessage(policy=SMTP)
        mail["Subject"] = message.title
        mail["From"] = MailAddress(FROM_NAME, addr_spec=self.settings.mail_from)
        mail["To"] = MailAddress(address.name or "", addr_spec=checked_address(address.target))
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(domain=self.settings.mail_from.rpartition("@")[2] or None)
        mail["Auto-Submitted"] = "auto-generated"
        mail["X-LeaseKeeper-Delivery"] = str(message.delivery_id)
        mail.set_content(text, charset="utf-8")
        mail.add_alternative(html, subtype="html", charset="utf-8")
        # Set last: set_content drops every Content-* header it finds.
        mail["Content-Language"] = content_language(message.locale)
        return mail

    def send(self, message: RenderedMessage, address: Address) -> SendResult:
        """Connect, log in if configured, hand the e-mail over; the Message-ID is the provider's id."""
        try:
            mail = self.build(message, address)
        except (ValueError, HeaderParseError):
            return SendResult.give_up("the e-mail address is not valid")
        try:
            context = ssl.create_default_context(cafile=self.settings.ca_file)
        except OSError:
            return SendResult.give_up("SMTP_CA_FILE cannot be read as a PEM certificate bundle")
        try:
            self._deliver(mail, address.target, context)
        except OSError as exc:  # smtplib's and ssl's errors are OSErrors too
            return self._failure(exc)
        return SendResult.sent(str(mail["Message-ID"]))

    def _deliver(self, mail: EmailMessage, recipient: str, context: ssl.SSLContext) -> None:
        settings = self.settings
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_seconds, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(mail, from_addr=settings.mail_from, to_addrs=[recipient])

    def _failure(self, exc: OSError) -> SendResult:
        """The verdict on what went wrong, in words that carry no password."""
        what = f"SMTP {self.settings.host}:{self.settings.port}"
        verdict, reason = classify(exc)
        error = short(redact(f"{what}: {reason}", [self.settings.password]))
        return SendResult.retry(error) if verdict is Verdict.RETRY else SendResult.give_up(error)


# Failures other than an SMTP reply, the most specific first.
_FAILURES: tuple[tuple[type[OSError], Verdict, str], ...] = (
    (ssl.SSLCertVerificationError, Verdict.GIVE_UP, "the server's certificate does not verify"),
    (ssl.SSLError, Verdict.GIVE_UP, "TLS failed; check SMTP_SECURITY and SMTP_PORT"),
    (
        smtplib.SMTPNotSupportedError,
        Verdict.GIVE_UP,
        "the server does not offer what SMTP_SECURITY or SMTP_USERNAME need",
    ),
    (TimeoutError, Verdict.RETRY, "timed out"),
    (ConnectionRefusedError, Verdict.RETRY, "connection refused"),
    (smtplib.SMTPServerDisconnected, Verdict.RETRY, "the server closed the connection"),
    (ConnectionError, Verdict.RETRY, "the connection was reset"),
)


def classify(exc: OSError) -> tuple[Verdict, str]:
    """Retry or give up, and why, for an error raised while talking SMTP: 4xx replies pass, 5xx last."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (550, b"recipient refused"))
        return _by_code(code, f"recipient refused: {_text(reply)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, _text(exc.smtp_error))
    for kind, verdict, reason in _FAILURES:
        if isinstance(exc, kind):
            return verdict, reason
    return Verdict.RETRY, type(exc).__name__


def _by_code(code: int, reason: str) -> tuple[Verdict, str]:
    return (Verdict.RETRY if 400 <= code < 500 else Verdict.GIVE_UP), f"{code} {reason}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else str(reply)


def checked_address(target: str) -> str:
    """The e-mail address when it looks deliverable: one @, a domain, no spaces or line breaks."""
    local, at, domain = target.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() or c in "<>,;" for c in target):
        raise ValueError(f"not an e-mail address: {target!r}")
    return target
