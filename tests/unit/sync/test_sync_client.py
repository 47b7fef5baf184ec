"""The reference sync client's queue, push and pull against an in-memory server speaking wire format 1."""

from __future__ import annotations

import gzip
import json
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sync.client import DeviceRevoked, HttpResponse, SyncClient

CAPTURED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class FakeServer:
    """Push and pull semantics of protocol 1 for one device; commands named `bad` are rejected."""

    def __init__(self) -> None:
        """Nothing applied yet."""
        self.last_applied = 0
        self.effects: list[str] = []
        self.requests: list[list[int]] = []
        self.fail_before = 0
        self.fail_after = 0
        self.transient_at: int | None = None
        self.status: int | None = None
        self.max_commands = 100
        self.changes: list[dict[str, Any]] = []

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> HttpResponse:
        """Answer one request like the real server would."""
        if self.fail_before:
            self.fail_before -= 1
            raise ConnectionResetError("cut before sending")
        if self.status is not None:
            return HttpResponse(self.status, {}, b'{"message": "This device was revoked; sign in again."}')
        assert method == "POST"
        assert body is not None
        if urllib.parse.urlparse(url).path == "/api/sync/pull":
            return self._pull(json.loads(body))
        answer = self._push(json.loads(body))
        if self.fail_after:
            self.fail_after -= 1
            raise ConnectionResetError("cut after the server committed")
        return answer

    def _push(self, document: dict[str, Any]) -> HttpResponse:
        commands = document["commands"]
        self.requests.append([command["device_seq"] for command in commands])
        if len(commands) > self.max_commands:
            return HttpResponse(413, {}, b"{}")
        results, stopped = [], None
        for command in commands:
            seq = command["device_seq"]
            if seq <= self.last_applied:
                results.append({"op_id": command["op_id"], "device_seq": seq, "status": "duplicate"})
                continue
            if seq != self.last_applied + 1:
                stopped = {"reason": "gap", "waiting_for_seq": self.last_applied + 1, "message": "gap"}
                break
            if seq == self.transient_at:
                stopped = {"reason": "transient", "retry_after": 5, "message": "database down"}
                break
            self.last_applied = seq
            if command["name"] == "bad":
                results.append(
                    {"op_id": command["op_id"], "device_seq": seq, "status": "rejected", "code": "invalid"}
                    | {"message": "不行", "fields": {"asset_id": ["unknown"]}}
                )
            else:
                self.effects.append(command["op_id"])
                results.append(
                    {"op_id": command["op_id"], "device_seq": seq, "status": "applied", "result": {"id": seq}}
                )
        answer = {"protocol_version": 1, "results": results, "last_applied_seq": self.last_applied}
        answer |= {"stopped": stopped, "cursor": "c"}
        return HttpResponse(200, {}, json.dumps(answer).encode())

    def _pull(self, args: Mapping[str, Any]) -> HttpResponse:
        start = int(args["cursor"] or 0)
        limit = int(args["limit"])
        page = self.changes[start : start + limit]
        answer = {"protocol_version": 1, "changes": page, "cursor": str(start + len(page))}
        answer["has_more"] = start + len(page) < len(self.changes)
        return HttpResponse(200, {"content-encoding": "gzip"}, gzip.compress(json.dumps(answer).encode()))


@pytest.fixture
def server() -> FakeServer:
    """A fresh in-memory server."""
    return FakeServer()


@pytest.fixture
def make_client(server: FakeServer, tmp_path: Path) -> Any:
    """A client on the fake server with its queue in tmp_path: make_client(batch_size=…)."""

    def create(**options: Any) -> SyncClient:
        return SyncClient(
            "http://sync.invalid", "lkd_token", tmp_path / "device.sqlite3", transport=server, **options
        )

    return create


def queue(client: SyncClient, *names: str) -> list[str]:
    """Enqueue one command per name."""
    return [client.enqueue(name, {"n": index}, CAPTURED) for index, name in enumerate(names)]


def test_enqueue_numbers_commands_consecutively_across_restarts(make_client: Any) -> None:
    client = make_client()
    queue(client, "a", "b")
    client.close()
    reopened = make_client()
    queue(reopened, "c")
    assert [command["device_seq"] for command in reopened.queued()] == [1, 2, 3]


def test_enqueue_refuses_a_capture_time_without_zone(make_client: Any) -> None:
    with pytest.raises(ValueError, match="time zone"):
        make_client().enqueue("a", {}, datetime(2026, 11, 23, 10, 0))  # noqa: DTZ001 - the point of the test


def test_push_sends_the_queue_in_order_in_bounded_batches(make_client: Any, server: FakeServer) -> None:
    client = make_client(batch_size=3)
    ops = queue(client, *"abcdefg")
    report = client.push()
    assert server.requests == [[1, 2, 3], [4, 5, 6], [7]]
    assert (report.applied, report.pending, report.batches) == (7, 0, 3)
    assert server.effects == ops
    assert client.acknowledgement(ops[0]) == ("applied", {"id": 1})


def test_a_rejected_command_is_kept_with_its_reason_and_does_not_block_the_queue(
    make_client: Any, server: FakeServer
) -> None:
    client = make_client()
    ops = queue(client, "a", "bad", "c")
    report = client.push()
    assert (report.applied, report.rejected, report.pending) == (2, 1, 0)
    [rejection] = client.rejected()
    assert (rejection.op_id, rejection.code, rejection.message) == (ops[1], "invalid", "不行")
    assert rejection.fields == {"asset_id": ["unknown"]}
    assert server.effects == [ops[0], ops[2]]


def test_a_connection_cut_before_sending_loses_nothing(make_client: Any, server: FakeServer) -> None:
    client = make_client()
    ops = queue(client, "a", "b")
    server.fail_before = 1
    with pytest.raises(ConnectionResetError):
        client.push()
    assert client.pending() == 2
    client.push()
    assert server.effects == ops


def test_a_response_lost_after_the_commit_is_answered_as_duplicate_and_applied_once(
    make_client: Any, server: FakeServer
) -> None:
    client = make_client()
    ops = queue(client, "a", "b")
    server.fail_after = 1
    with pytest.raises(ConnectionResetError):
        client.push()
    assert client.pending() == 2
    report = client.push()
    assert (report.duplicate, report.applied, report.pending) == (2, 0, 0)
    assert server.effects == ops


def test_a_transient_stop_leaves_the_rest_queued_for_a_retry(make_client: Any, server: FakeServer) -> None:
    client = make_client()
    queue(client, "a", "b", "c")
    server.transient_at = 2
    report = client.push()
    assert report.stopped is not None
    assert (report.stopped.reason, report.stopped.retry_after, report.pending) == ("transient", 5.0, 2)
    server.transient_at = None
    assert client.push().applied == 2


def test_a_gap_stop_is_reported_and_nothing_after_it_is_dropped(make_client: Any, server: FakeServer) -> None:
    client = make_client()
    queue(client, "a", "b")
    server.last_applied = -5  # the server waits for a seq this device no longer holds
    report = client.push()
    assert report.stopped is not None
    assert (report.stopped.reason, report.stopped.waiting_for_seq, report.pending) == ("gap", -4, 2)


def test_a_revoked_device_raises_and_keeps_its_queue(make_client: Any, server: FakeServer) -> None:
    client = make_client()
    queue(client, "a")
    server.status = 401
    with pytest.raises(DeviceRevoked, match="revoked"):
        client.push()
    assert client.pending() == 1


def test_a_batch_too_large_for_the_server_is_split(make_client: Any, server: FakeServer) -> None:
    client = make_client(batch_size=8)
    queue(client, *"abcdefgh")
    server.max_commands = 3
    assert client.push().applied == 8
    assert server.requests[0] == list(range(1, 9))
    assert server.last_applied == 8


def test_pull_follows_the_cursor_and_keeps_a_cache_of_entities(make_client: Any, server: FakeServer) -> None:
    client = make_client()
    server.changes = [
        {"entity": "asset", "id": n, "op": "upsert", "data": {"code": f"A{n}"}} for n in range(5)
    ]
    report = client.pull(limit=2)
    assert (report.pages, report.upserts, client.cursor) == (3, 5, "5")
    server.changes += [
        {"entity": "asset", "id": 1, "op": "delete"},
        {"entity": "asset", "id": 2, "op": "upsert", "data": {"code": "B2"}},
    ]
    second = client.pull(limit=2)
    assert (second.deletes, second.upserts) == (1, 1)
    assert sorted(client.entities("asset")) == [0, 2, 3, 4]
    assert client.entity("asset", 2) == {"code": "B2"}
    assert client.entity("asset", 1) is None


def test_commands_at_or_below_last_applied_seq_leave_the_queue_even_without_a_result(
    make_client: Any, server: FakeServer
) -> None:
    client = make_client()
    ops = queue(client, "a", "b", "c")
    server.last_applied = 2  # applied earlier; this server's answer lists no result for them

    def answer_without_duplicates(*request: Any) -> HttpResponse:
        answer = json.loads(FakeServer.__call__(server, *request).body)
        answer["results"] = [r for r in answer["results"] if r["status"] != "duplicate"]
        return HttpResponse(200, {}, json.dumps(answer).encode())

    client.transport = answer_without_duplicates
    report = client.push()
    assert (report.applied, report.pending) == (1, 0)
    assert [client.acknowledgement(op) for op in ops] == [
        ("duplicate", None),
        ("duplicate", None),
        ("applied", {"id": 3}),
    ]
