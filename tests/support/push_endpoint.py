"""A real push service for tests: a threaded HTTP server on loopback that records each push it receives."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True)
class ReceivedPush:
    """One POST as the push service saw it."""

    path: str
    headers: dict[str, str]
    body: bytes


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """What a browser keeps for one push subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = bytes(range(16))
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.p256dh = b64url(point)

    def subscription(self, **extra: Any) -> dict[str, Any]:
        """The body of PushSubscription.toJSON()."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}} | extra

    def decrypt(self, push: ReceivedPush) -> dict[str, Any]:
        """The JSON payload, decrypted as the browser would (RFC 8291, aes128gcm)."""
        plain = http_ece.decrypt(
            push.body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        payload: dict[str, Any] = json.loads(plain)
        return payload


@dataclass
class PushEndpoint:
    """Answers 201 to every push, 410 on paths marked gone; `received` keeps them in arrival order."""

    server: ThreadingHTTPServer
    thread: threading.Thread
    received: list[ReceivedPush] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        """scheme://host:port of the server (the VAPID audience)."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """A subscription endpoint on this server."""
        return f"{self.origin}/push/{path}"

    def mark_gone(self, path: str) -> None:
        """From now on, pushes to this endpoint path answer 410 Gone."""
        with self.lock:
            self.gone.add(f"/push/{path}")

    def pushes_to(self, path: str) -> list[ReceivedPush]:
        """What arrived for one endpoint path."""
        with self.lock:
            return [push for push in self.received if push.path == f"/push/{path}"]

    def stop(self) -> None:
        """Shut the server down and wait for its thread."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_push_endpoint() -> PushEndpoint:
    """Start the recording push service on a free loopback port."""
    endpoint: PushEndpoint

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with endpoint.lock:
                endpoint.received.append(ReceivedPush(self.path, dict(self.headers.items()), body))
                status = 410 if self.path in endpoint.gone else 201
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `received` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="push-endpoint", daemon=True)
    endpoint = PushEndpoint(server, thread)
    thread.start()
    return endpoint
