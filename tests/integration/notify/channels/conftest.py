"""Fixtures for the channel adapters: real local servers (SMTP, HTTP, one that resets), messages, a CA."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from babel.support import NullTranslations
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from backend.config import Config
from backend.notify.delivery import Catalogue
from backend.notify.domain.channels import RenderedMessage, SendResult

TITLE_ZH = "租约 SH-LJZ-0101 将于 30 天后到期"
BODY_ZH = "上海陆家嘴 1 号楼 1001 室的租约将于 2027 年 1 月 31 日到期，请及时联系客户。"
TITLE_EN = "Lease SH-LJZ-0101 ends in 30 days"
BODY_EN = "The lease of Lujiazui Tower 1, unit 1001 ends on 31 January 2027."
URL = "https://leasekeeper.example/leases/101?tab=terms&from=email"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_secret_free(result: SendResult, *secrets: str) -> None:
    """The error names what went wrong, not the credentials."""
    assert result.error, "a failed send says why"
    for secret in secrets:
        assert secret not in result.error


@pytest.fixture(scope="session")
def translations() -> Callable[[str], NullTranslations]:
    """The application's message catalogues (the compiled zh_Hans_CN one among them)."""
    return Catalogue(Config.BABEL_TRANSLATION_DIRECTORIES).translations


@pytest.fixture
def make_message() -> Callable[..., RenderedMessage]:
    """Builds a rendered notification, in Chinese unless told otherwise."""

    def make(locale: str = "zh_CN", **overrides: Any) -> RenderedMessage:
        chinese = locale.startswith("zh")
        values: dict[str, Any] = {
            "delivery_id": 4711,
            "kind": "lease.expiring",
            "locale": locale,
            "title": TITLE_ZH if chinese else TITLE_EN,
            "body": BODY_ZH if chinese else BODY_EN,
            "url": URL,
            "project_id": 3,
            "subject_type": "lease",
            "subject_id": 101,
            "params": {"code": "SH-LJZ-0101", "days": 30},
            "created_at": "2027-01-01T01:02:03Z",
        }
        return RenderedMessage(**(values | overrides))

    return make


@dataclass(frozen=True)
class Tls:
    """A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> Any:
        """A server-side TLS context presenting the certificate."""
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """Made once per run with `cryptography`; nothing outside the test trusts it."""
    folder = tmp_path_factory.mktemp("tls")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LeaseKeeper Test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = Tls(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@dataclass
class RecordingHandler:
    """Keeps every accepted envelope; answers chosen recipients with a chosen reply instead."""

    envelopes: list[Envelope] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (mechanism, user name)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        """Refuse the recipients listed in `rcpt_replies`, accept the others."""
        reply = self.rcpt_replies.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope
    ) -> str:
        """Keep the message."""
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A running aiosmtpd server on 127.0.0.1 and what it received."""

    port: int
    handler: RecordingHandler
    controller: Controller
    running: bool = True

    def stop(self) -> None:
        """Stop listening (once)."""
        if self.running:
            self.controller.stop()
            self.running = False


USERS = {"leasekeeper": "smtp-pa55word-do-not-log"}


def authenticate(handler: RecordingHandler) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator that accepts USERS and records each successful login."""

    def check(
        server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        if USERS.get(user) != password:
            return AuthResult(success=False, handled=False)
        handler.logins.append((mechanism, user))
        return AuthResult(success=True)

    return check


@pytest.fixture
def smtp_server(tls: Tls) -> Iterator[Callable[..., SmtpServer]]:
    """Starts SMTP servers: `smtp_server(security="none" | "starttls" | "ssl", auth=False, **options)`."""
    started: list[SmtpServer] = []

    def start(security: str = "none", auth: bool = False, **options: Any) -> SmtpServer:
        handler = RecordingHandler()
        port = free_port()
        kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": port, **options}
        if security == "starttls":
            kwargs |= {"tls_context": tls.server_context(), "require_starttls": True}
        elif security == "ssl":
            kwargs["ssl_context"] = tls.server_context()
        if auth:
            # aiosmtpd counts only STARTTLS as TLS for AUTH; on an implicit-TLS port it would offer no AUTH.
            kwargs |= {"authenticator": authenticate(handler), "auth_require_tls": security == "starttls"}
        controller = Controller(handler, **kwargs)
        controller.start()
        server = SmtpServer(port, handler, controller)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def resetting_port() -> Iterator[int]:
    """A port whose server accepts each connection and resets it at once (RST, by SO_LINGER 0)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.settimeout(0.2)  # an HTTP client speaks first, an SMTP client waits
                with contextlib.suppress(OSError):
                    connection.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(2)
    listener.close()


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: connecting is refused."""
    return free_port()


def slow(seconds: float, response: Any) -> Callable[[Any], Any]:
    """A pytest-httpserver handler that answers only after a while."""

    def handle(_request: Any) -> Any:
        time.sleep(seconds)
        return response

    return handle


def wait_until_answered(httpserver: Any, count: int = 1, within: float = 5.0) -> None:
    """Wait until the server has answered `count` requests, so a slow answer never lands in the next test."""
    deadline = time.monotonic() + within
    while len(httpserver.log) < count:
        assert time.monotonic() < deadline, "the server never answered"
        time.sleep(0.05)
