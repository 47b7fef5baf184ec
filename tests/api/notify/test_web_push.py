"""Web Push: managers' phones get a push when a request waits for them, through a real local push service."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from flask import Flask

from backend.core.services import users
from tests.api.sync.test_sync_push import Phone
from tests.conftest import PASSWORD, SYSTEM
from tests.support.push_endpoint import Browser, PushEndpoint, b64url, start_push_endpoint


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verified_vapid_claims(authorization: str, public_key: str) -> dict[str, Any]:
    """The claims of the VAPID JWT in an Authorization header, after checking its ES256 signature."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    assert values["k"].rstrip("=") == public_key
    header, claims, signature = values["t"].split(".")
    raw = unb64url(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    key.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    decoded: dict[str, Any] = json.loads(unb64url(claims))
    return decoded


@pytest.fixture
def push_service() -> Iterator[PushEndpoint]:
    """A recording push service on loopback."""
    endpoint = start_push_endpoint()
    yield endpoint
    endpoint.stop()


@pytest.fixture
def field(
    make_region: Any, make_project: Any, make_asset: Any, make_user: Any, bearer_client: Any, run: Any
) -> Any:
    """A project with two units, an inspector who reports, a Chinese- and an English-reading manager,
    and a manager of another region."""
    region = make_region()
    project = make_project(region)
    other_project = make_project(make_region())

    class Field:
        pass

    f = Field()
    f.project, f.asset, f.neighbour = project, make_asset(project), make_asset(project)
    f.inspector = make_user("inspector", project_id=project.id)
    f.manager_user = make_user("project_manager", project_id=project.id)
    english = {"role": "project_manager", "project_id": project.id}
    f.english_user = run(
        users.create_user,
        {"username": "english_manager", "password": PASSWORD, "roles": [english], "locale": "en"},
        SYSTEM,
    )
    f.reporter = bearer_client(f.inspector)
    f.manager = bearer_client(f.manager_user)
    f.english = bearer_client(f.english_user)
    f.stranger = bearer_client(make_user("project_manager", project_id=other_project.id))
    return f


def file_request(f: Any, asset: Any) -> Any:
    body = {"asset_id": asset.id, "to_status": "maintenance", "base_version": 1, "reason": "水管漏水"}
    response = f.reporter.post("/api/status-requests", json=body)
    assert response.status_code == 201, response.json
    return response.json


def subscribe(client: Any, browser: Browser, **extra: Any) -> Any:
    response = client.post("/api/push/subscriptions", json=browser.subscription(**extra))
    assert response.status_code == 201, response.json
    return response.json


def settle(app: Flask) -> None:
    """Deliver every queued push, as a worker does, and record the outcomes."""
    app.extensions["leasekeeper.outbox"].deliver_until_idle()


def test_a_filed_request_pushes_once_to_each_confirmer_in_their_language(
    app: Flask, field: Any, push_service: PushEndpoint
) -> None:
    browsers = {
        name: Browser(push_service.url(name)) for name in ("manager", "english", "inspector", "stranger")
    }
    subscribe(field.manager, browsers["manager"], user_agent="Mozilla/5.0 (Linux; Android 14)")
    subscribe(field.english, browsers["english"])
    subscribe(field.reporter, browsers["inspector"])
    subscribe(field.stranger, browsers["stranger"])

    request = file_request(field, field.asset)
    settle(app)

    [push] = push_service.pushes_to("manager")
    payload = browsers["manager"].decrypt(push)
    applicant, code = field.inspector.username, field.asset.code
    assert payload == {
        "title": f"{applicant} 请您确认 {code}：vacant 变更为 maintenance",
        "body": "打开申请，到现场确认或驳回。",
        "url": f"/approvals/{request['id']}",
        "tag": f"status_change_request:{request['id']}",
        "kind": "status_request.waiting",
        "subject_id": request["id"],
    }
    [english_push] = push_service.pushes_to("english")
    english = browsers["english"].decrypt(english_push)
    assert english["title"] == f"{applicant} asks you to confirm {code}: vacant to maintenance"
    assert english["body"] == "Open the request to confirm it on site or reject it."
    assert push_service.pushes_to("inspector") == []  # the applicant does not confirm their own request
    assert push_service.pushes_to("stranger") == []  # another region's manager is not notified

    headers = {name.lower(): value for name, value in push.headers.items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["urgency"] == "high"
    assert int(headers["ttl"]) == app.config["PUSH_TTL_SECONDS"]
    claims = verified_vapid_claims(headers["authorization"], app.config["VAPID_PUBLIC_KEY"])
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == app.config["VAPID_SUBJECT"]

    [mine] = field.manager.get("/api/push/subscriptions").json
    assert mine["last_success_at"] is not None
    assert mine["failure_count"] == 0
    assert mine["active"] is True


def test_a_push_service_answering_gone_disables_the_subscription(
    app: Flask, field: Any, push_service: PushEndpoint
) -> None:
    browser = Browser(push_service.url("dropped"))
    subscribe(field.manager, browser)
    push_service.mark_gone("dropped")

    file_request(field, field.asset)
    settle(app)

    assert len(push_service.pushes_to("dropped")) == 1
    [subscription] = field.manager.get("/api/push/subscriptions").json
    assert subscription["disabled_at"] is not None
    assert subscription["active"] is False
    assert subscription["failure_count"] == 1

    file_request(field, field.neighbour)
    settle(app)
    assert len(push_service.pushes_to("dropped")) == 1  # never tried again


def test_an_unreachable_push_service_counts_a_failure_and_keeps_the_subscription(
    app: Flask, field: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(field.manager, Browser(f"http://127.0.0.1:{port}/push/nobody-listens"))

    response = field.reporter.post(
        "/api/status-requests",
        json={"asset_id": field.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "漏水"},
    )
    assert response.status_code == 201  # delivery never fails the request
    settle(app)

    [subscription] = field.manager.get("/api/push/subscriptions").json
    assert subscription["failure_count"] == 1
    assert subscription["last_failure_at"] is not None
    assert subscription["active"] is True


def test_bad_subscriptions_are_refused_naming_each_field(field: Any) -> None:
    browser = Browser("https://fcm.googleapis.com/fcm/send/abc")
    body = browser.subscription()
    body["keys"]["p256dh"] = b64url(b"\x04" + bytes(10))
    response = field.manager.post("/api/push/subscriptions", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"keys.p256dh"}

    body = browser.subscription()
    body["endpoint"] = "https://push.example.com/send/abc"  # not a push service the server allows
    body["keys"]["auth"] = "not base64url!"
    response = field.manager.post("/api/push/subscriptions", json=body)
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"endpoint", "keys.auth"}

    missing = field.manager.post("/api/push/subscriptions", json={"endpoint": browser.endpoint})
    assert missing.status_code == 422
    assert "keys" in missing.json["errors"]["json"]


def test_an_endpoint_moves_to_whoever_registers_it_and_only_its_owner_removes_it(
    field: Any, push_service: PushEndpoint
) -> None:
    browser = Browser(push_service.url("shared-phone"))
    first = subscribe(field.manager, browser)
    assert "auth" not in first
    assert first["device_id"] is not None  # registered with a device token

    again = subscribe(field.english, browser)
    assert again["id"] == first["id"]
    assert field.manager.get("/api/push/subscriptions").json == []
    assert [s["endpoint"] for s in field.english.get("/api/push/subscriptions").json] == [browser.endpoint]

    gone = field.manager.delete("/api/push/subscriptions", json={"endpoint": browser.endpoint})
    assert gone.status_code == 404
    removed = field.english.delete("/api/push/subscriptions", json={"endpoint": browser.endpoint})
    assert removed.status_code == 204
    assert field.english.get("/api/push/subscriptions").json == []


def test_the_public_key_is_the_configured_one_for_signed_in_callers(
    app: Flask, field: Any, client: Any
) -> None:
    response = field.reporter.get("/api/push/public-key")
    assert response.status_code == 200
    assert response.json == {"public_key": app.config["VAPID_PUBLIC_KEY"]}
    assert len(unb64url(response.json["public_key"])) == 65
    assert client.get("/api/push/public-key").status_code == 401


def test_a_test_push_is_queued_for_your_own_subscriptions_and_their_health_shows_after(
    app: Flask, field: Any, push_service: PushEndpoint, web_client: Any
) -> None:
    browser = Browser(push_service.url("desk"))
    desk = web_client(field.english_user)
    created = subscribe(desk, browser, user_agent="Firefox")
    assert created["device_id"] is None  # a cookie session, not a phone
    push_service.mark_gone("nowhere")
    subscribe(desk, Browser(push_service.url("nowhere")))

    response = desk.post("/api/push/test")
    assert response.status_code == 202
    assert response.json == {"queued": 2}  # nothing about what answered: see the SSRF tests
    assert push_service.received == []
    settle(app)
    [push] = push_service.pushes_to("desk")
    assert browser.decrypt(push)["title"] == "LeaseKeeper test notification"
    assert push_service.pushes_to("manager") == []
    health = {s["endpoint"]: s for s in desk.get("/api/push/subscriptions").json}
    assert health[browser.endpoint]["last_success_at"] is not None
    assert health[push_service.url("nowhere")]["active"] is False

    del desk.environ_base["HTTP_X_CSRFTOKEN"]
    refused = desk.post("/api/push/subscriptions", json=Browser(push_service.url("x")).subscription())
    assert refused.status_code == 403


def test_managers_without_subscriptions_still_get_the_inbox_notification(field: Any) -> None:
    request = file_request(field, field.asset)
    inbox = field.manager.get("/api/notifications").json
    assert [n["subject_id"] for n in inbox] == [request["id"]]


def test_a_request_queued_on_a_phone_pushes_once_when_applied_and_a_refused_one_not_at_all(
    app: Flask, field: Any, push_service: PushEndpoint
) -> None:
    browser = Browser(push_service.url("manager"))
    subscribe(field.manager, browser)
    phone = Phone(field.reporter)
    args = {"asset_id": field.asset.id, "to_status": "maintenance", "base_version": 1, "reason": "漏水"}

    response = phone.push(
        phone.command("status_change.request", args), phone.command("status_change.request", args)
    )
    assert response.status_code == 200, response.json
    assert [r["status"] for r in response.json["results"]] == ["applied", "rejected"]
    settle(app)

    [push] = push_service.pushes_to("manager")
    assert browser.decrypt(push)["subject_id"] == response.json["results"][0]["result"]["id"]
