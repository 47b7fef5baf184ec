"""The e-mail adapter against a real SMTP server (aiosmtpd): plain, STARTTLS, implicit TLS, AUTH, refusals."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from backend.adapters.channels.email import EmailAdapter, EmailSettings
from backend.notify.domain.channels import Address, ChannelKind, Verdict
from tests.integration.notify.channels.conftest import (
    BODY_ZH,
    TITLE_EN,
    TITLE_ZH,
    URL,
    USERS,
    SmtpServer,
    Tls,
    assert_secret_free,
)

MAIL_FROM = "notify@leasekeeper.example"
RECIPIENT = "zhang.san@tenant.example"
PASSWORD = USERS["leasekeeper"]


def adapter_for(server_port: int, translations: Any, **settings: Any) -> EmailAdapter:
    """An adapter for the local server, with a short timeout."""
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server_port,
        "mail_from": MAIL_FROM,
        "timeout_seconds": 5.0,
    }
    return EmailAdapter(EmailSettings(**(values | settings)), translations)


def to(name: str | None = "张三", target: str = RECIPIENT) -> Address:
    """An e-mail address of a person."""
    return Address(ChannelKind.EMAIL, target, name=name)


def received(server: SmtpServer) -> EmailMessage:
    """The one message the server accepted, parsed."""
    assert len(server.handler.envelopes) == 1
    envelope = server.handler.envelopes[0]
    assert envelope.mail_from == MAIL_FROM
    assert envelope.rcpt_tos == [RECIPIENT]
    parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(mail: EmailMessage) -> dict[str, str]:
    """The decoded text of each alternative, by content type."""
    assert mail.get_content_type() == "multipart/alternative"
    found = {}
    for part in mail.iter_parts():
        assert isinstance(part, EmailMessage)
        assert part.get_content_charset() == "utf-8"
        found[part.get_content_type()] = part.get_content()
    assert list(found) == ["text/plain", "text/html"]
    return found


def test_a_chinese_notification_arrives_with_both_parts_and_its_headers(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    result = adapter_for(server.port, translations).send(make_message("zh_CN"), to())

    assert result.verdict is Verdict.SENT
    mail = received(server)
    assert mail["Subject"] == TITLE_ZH
    assert "=?utf-8?" in server.handler.envelopes[0].original_content.decode().split("\r\n\r\n")[0]
    assert mail["To"].addresses[0].display_name == "张三"
    assert mail["To"].addresses[0].addr_spec == RECIPIENT
    assert str(mail["From"]) == f"LeaseKeeper <{MAIL_FROM}>"
    assert mail["Content-Language"] == "zh-CN"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-LeaseKeeper-Delivery"] == "4711"
    assert mail["Date"] is not None
    assert mail["Message-ID"] == result.provider_message_id
    assert str(mail["Message-ID"]).endswith("@leasekeeper.example>")
    text = parts(mail)
    for body in text.values():
        assert TITLE_ZH in body
        assert BODY_ZH in body
        assert "在 LeaseKeeper 中打开" in body
        assert "通知设置" in body
        assert "Open in LeaseKeeper" not in body
    assert URL in text["text/plain"]
    assert f'href="{URL.replace("&", "&amp;")}"' in text["text/html"]
    assert '<html lang="zh-CN">' in text["text/html"]


def test_an_english_notification_is_written_in_english(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    result = adapter_for(server.port, translations).send(make_message("en"), to(name="Jane Doe"))

    assert result.verdict is Verdict.SENT
    mail = received(server)
    assert mail["Subject"] == TITLE_EN
    assert mail["Content-Language"] == "en"
    assert str(mail["To"]) == f"Jane Doe <{RECIPIENT}>"
    for body in parts(mail).values():
        assert TITLE_EN in body
        assert "Open in LeaseKeeper" in body
        assert "notification settings" in body
        assert "打开" not in body


def test_the_html_part_escapes_what_the_message_says(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    message = make_message("en", title="<script>alert(1)</script> & co")
    assert adapter_for(server.port, translations).send(message, to()).verdict is Verdict.SENT

    text = parts(received(server))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text["text/html"]
    assert "<script>" not in text["text/html"]
    assert "<script>alert(1)</script> & co" in text["text/plain"]


def test_without_a_name_the_to_header_is_the_bare_address(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    assert adapter_for(server.port, translations).send(make_message(), to(name=None)).verdict is Verdict.SENT
    assert str(received(server)["To"]) == RECIPIENT


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_starttls_with_a_login_verifies_the_server_against_the_ca_file(
    mechanism: str, smtp_server: Callable[..., SmtpServer], tls: Tls, translations: Any, make_message: Any
) -> None:
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    server = smtp_server("starttls", auth=True, auth_required=True, auth_exclude_mechanism=[other])
    adapter = adapter_for(
        server.port,
        translations,
        security="starttls",
        ca_file=str(tls.ca_file),
        username="leasekeeper",
        password=PASSWORD,
    )

    result = adapter.send(make_message(), to())

    assert result.verdict is Verdict.SENT, result.error
    assert server.handler.logins == [(mechanism, "leasekeeper")]
    assert received(server)["Subject"] == TITLE_ZH


def test_implicit_tls_with_a_login(
    smtp_server: Callable[..., SmtpServer], tls: Tls, translations: Any, make_message: Any
) -> None:
    server = smtp_server("ssl", auth=True)
    adapter = adapter_for(
        server.port,
        translations,
        security="ssl",
        ca_file=str(tls.ca_file),
        username="leasekeeper",
        password=PASSWORD,
    )

    result = adapter.send(make_message("en"), to())

    assert result.verdict is Verdict.SENT, result.error
    assert server.handler.logins == [("PLAIN", "leasekeeper")]
    assert received(server)["Subject"] == TITLE_EN


def test_a_login_over_a_plain_connection(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server("none", auth=True)
    adapter = adapter_for(server.port, translations, username="leasekeeper", password=PASSWORD)

    assert adapter.send(make_message(), to()).verdict is Verdict.SENT
    assert server.handler.logins == [("PLAIN", "leasekeeper")]


def test_a_wrong_password_gives_up_without_repeating_it(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server("none", auth=True)
    adapter = adapter_for(server.port, translations, username="leasekeeper", password="not-the-password-123")

    result = adapter.send(make_message(), to())

    assert result.verdict is Verdict.GIVE_UP
    assert "535" in (result.error or "")
    assert_secret_free(result, "not-the-password-123", PASSWORD)
    assert server.handler.envelopes == []


def test_a_certificate_the_trust_store_does_not_know_gives_up(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server("starttls", auth=True)
    adapter = adapter_for(
        server.port, translations, security="starttls", username="leasekeeper", password=PASSWORD
    )

    result = adapter.send(make_message(), to())

    assert result.verdict is Verdict.GIVE_UP
    assert "certificate" in (result.error or "")
    assert_secret_free(result, PASSWORD)
    assert server.handler.logins == []


def test_a_temporary_refusal_of_the_recipient_is_retried(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    server.handler.rcpt_replies[RECIPIENT] = "451 4.3.2 Mailbox busy, try again later"

    result = adapter_for(server.port, translations).send(make_message(), to())

    assert result.verdict is Verdict.RETRY
    assert "451" in (result.error or "")
    assert server.handler.envelopes == []


@pytest.mark.parametrize("reply", ["550 5.1.1 No such user here", "553 5.1.3 Mailbox name not allowed"])
def test_a_lasting_refusal_of_the_recipient_gives_up(
    reply: str, smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    server.handler.rcpt_replies[RECIPIENT] = reply

    result = adapter_for(server.port, translations).send(make_message(), to())

    assert result.verdict is Verdict.GIVE_UP
    assert reply[:3] in (result.error or "")


def test_a_stopped_server_is_retried(
    smtp_server: Callable[..., SmtpServer], translations: Any, make_message: Any
) -> None:
    server = smtp_server()
    server.stop()

    result = adapter_for(server.port, translations, password=PASSWORD).send(make_message(), to())

    assert result.verdict is Verdict.RETRY
    assert "refused" in (result.error or "")
    assert_secret_free(result, PASSWORD)


def test_a_connection_reset_is_retried(resetting_port: int, translations: Any, make_message: Any) -> None:
    result = adapter_for(resetting_port, translations).send(make_message(), to())

    assert result.verdict is Verdict.RETRY
    assert result.error


@pytest.mark.parametrize("target", ["not-an-address", "a@b@", "x@example.com\r\nBcc: y@example.com"])
def test_an_address_that_is_not_one_gives_up_before_connecting(
    target: str, closed_port: int, translations: Any, make_message: Any
) -> None:
    result = adapter_for(closed_port, translations).send(make_message(), to(target=target))

    assert result.verdict is Verdict.GIVE_UP
    assert result.error == "the e-mail address is not valid"


def test_settings_come_from_the_configuration_and_hide_the_password() -> None:
    settings = EmailSettings.from_config(
        {
            "SMTP_HOST": "smtp.example.com",
            "SMTP_PORT": 465,
            "MAIL_FROM": MAIL_FROM,
            "SMTP_SECURITY": "SSL",
            "SMTP_USERNAME": "leasekeeper",
            "SMTP_PASSWORD": PASSWORD,
            "SMTP_CA_FILE": None,
            "SMTP_TIMEOUT_SECONDS": 15,
        }
    )
    assert (settings.host, settings.port, settings.security, settings.timeout_seconds) == (
        "smtp.example.com",
        465,
        "ssl",
        15.0,
    )
    assert PASSWORD not in repr(settings)
    with pytest.raises(ValueError, match="SMTP_SECURITY"):
        EmailSettings(security="tls")
