"""Structured logs: one JSON object per request with the request id, status, duration and caller."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from backend.logging_setup import configure_logging


@pytest.fixture
def json_log(app: Any) -> Any:
    """Capture the root logger's output in the production (JSON) format (after the app set up its own)."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("INFO", "json")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_each_request_logs_one_json_line_with_its_id_and_caller(
    json_log: io.StringIO, make_user: Any, bearer_client: Any
) -> None:
    user = make_user("admin")
    phone = bearer_client(user)
    response = phone.get("/api/regions", headers={"X-Request-ID": "trace-42"})
    ours = response.headers["X-Request-ID"]
    assert ours != "trace-42"
    assert len(ours) == 32
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    record = next(line for line in lines if line.get("request_id") == ours)
    assert record["client_request_id"] == "trace-42"
    assert record["logger"] == "leasekeeper.request"
    assert record["message"] == "GET /api/regions 200"
    assert record["status"] == 200
    assert record["user_id"] == user.id
    assert record["device_id"] is not None
    assert record["duration_ms"] >= 0
