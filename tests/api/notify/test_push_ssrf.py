"""Web Push cannot be turned against the server's own network (SSRF) or into a port scanner.

The application here runs with the shipped allow-list of push services only: the loopback push service
the other push tests use is not on it, so it stands for an internal service an attacker would aim at.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from backend.config import Config
from backend.core.domain.access import Role
from backend.notify.domain.web_push import endpoint_hash
from tests.support.push_endpoint import Browser, PushEndpoint, start_push_endpoint


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"PUSH_ALLOWED_HOSTS": Config.PUSH_ALLOWED_HOSTS}


@pytest.fixture
def internal() -> Iterator[PushEndpoint]:
    """An internal HTTP service on loopback that must never hear from the server."""
    endpoint = start_push_endpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def inspector(make_region: Any, make_project: Any, make_user: Any, bearer_client: Any) -> Any:
    project = make_project(make_region())
    return bearer_client(make_user(Role.INSPECTOR.value, project_id=project.id))


def _settle(app: Flask) -> None:
    app.extensions["leasekeeper.outbox"].deliver_until_idle()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_inspector_cannot_subscribe_an_internal_address(
    app: Flask, inspector: Any, internal: PushEndpoint
) -> None:
    host, port = internal.server.server_address[:2]
    for endpoint in (
        f"http://{host}:{port}/internal/admin",
        f"https://{host}:{port}/internal/admin",
        "https://169.254.169.254/latest/meta-data/iam/",
        "https://[::1]:8080/push",
        "https://localhost/push",
        "https://10.0.0.8/push",
        "https://push.attacker.example/push",
    ):
        response = inspector.post("/api/push/subscriptions", json=Browser(endpoint).subscription())
        assert response.status_code == 422, endpoint
        assert set(response.json["errors"]["json"]) == {"endpoint"}

    assert inspector.get("/api/push/subscriptions").json == []
    assert inspector.post("/api/push/test").json == {"queued": 0}
    _settle(app)
    assert internal.received == []


def _stored_subscription(run: Any, user_id: int, endpoint: str) -> None:
    """A subscription that reached the database before the allow-list existed (or before it shrank)."""
    browser = Browser(endpoint)
    keys = browser.subscription()["keys"]

    def store(uow: Any) -> None:
        uow.push_subscriptions.add(
            user_id=user_id,
            device_id=None,
            endpoint=endpoint,
            endpoint_hash=endpoint_hash(endpoint),
            p256dh=keys["p256dh"],
            auth=keys["auth"],
            user_agent=None,
            created_at=datetime.now(UTC),
            failure_count=0,
        )
        uow.commit()

    run(store)


def test_a_stored_internal_endpoint_is_never_posted_to_and_is_disabled(
    app: Flask,
    make_region: Any,
    make_project: Any,
    make_user: Any,
    bearer_client: Any,
    run: Any,
    internal: PushEndpoint,
) -> None:
    project = make_project(make_region())
    user = make_user(Role.INSPECTOR.value, project_id=project.id)
    phone = bearer_client(user)
    _stored_subscription(run, user.id, internal.url("internal-admin"))
    _stored_subscription(run, user.id, f"http://127.0.0.1:{_closed_port()}/closed")

    answer = phone.post("/api/push/test")
    assert answer.status_code == 202
    assert answer.json == {"queued": 2}  # the same answer for an open and a closed port
    _settle(app)

    assert internal.received == []
    assert [s["active"] for s in phone.get("/api/push/subscriptions").json] == [False, False]


def test_an_allowed_name_that_resolves_into_our_network_is_refused_at_send_time(
    app: Flask, inspector: Any, internal: PushEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS answers can change after a subscription was accepted: the address is checked before each send."""
    port = internal.server.server_address[1]
    endpoint = f"https://fcm.googleapis.com:{port}/fcm/send/rebound"
    assert inspector.post("/api/push/subscriptions", json=Browser(endpoint).subscription()).status_code == 201
    real = socket.getaddrinfo

    def rebound(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "fcm.googleapis.com":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebound)

    assert inspector.post("/api/push/test").json == {"queued": 1}
    _settle(app)

    assert internal.received == []
    [subscription] = inspector.get("/api/push/subscriptions").json
    assert subscription["active"] is False
