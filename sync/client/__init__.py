"""Reference sync client: a durable SQLite command queue, push in order, pull into a local cache.

It behaves like the phone app: commands are queued locally with a per-device sequence number, pushed in
sequence order in bounded batches, and removed only once the server has acknowledged them (applied,
duplicate or rejected). Any exception or dropped connection leaves the queue as it was, so the next push
sends the same commands again and the server answers `duplicate` for those it already applied.
"""

from __future__ import annotations

import gzip
import http.client
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

PROTOCOL_VERSION = 1
MAX_BATCH_COMMANDS = 100
MAX_BATCH_BYTES = 512 * 1024
# Headroom under the server's byte limit for the envelope around the commands.
_ENVELOPE_BYTES = 4 * 1024
DEFAULT_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
    device_seq INTEGER PRIMARY KEY,
    op_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    args TEXT NOT NULL,
    captured_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acknowledged (
    op_id TEXT PRIMARY KEY,
    device_seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    result TEXT
);
CREATE TABLE IF NOT EXISTS rejected (
    op_id TEXT PRIMARY KEY,
    device_seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    fields TEXT
);
CREATE TABLE IF NOT EXISTS entities (
    entity TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);
"""


@dataclass(frozen=True)
class HttpResponse:
    """What a transport got back: status, lower-cased headers and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


Transport = Callable[[str, str, Mapping[str, str], bytes | None, float], HttpResponse]
"""Sends one request (method, url, headers, body, timeout); raises OSError when the connection fails."""


def urllib_transport(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
) -> HttpResponse:
    """The default transport: one `urllib.request` call; HTTP error statuses are answers, not exceptions."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method=method)  # noqa: S310
    try:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) base URL
                return HttpResponse(response.status, _lower(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            with error:
                return HttpResponse(error.code, _lower(error.headers.items()), error.read())
    except http.client.HTTPException as error:
        # A connection closed half-way through an answer (even an error's) is a dropped connection.
        raise ConnectionError(f"{type(error).__name__}: {error}") from error


def _lower(items: Any) -> dict[str, str]:
    return {str(key).lower(): str(value) for key, value in items}


class SyncError(Exception):
    """The server answered something the client cannot act on; the queue is left untouched."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        """Keep the HTTP status and decoded body for the caller."""
        super().__init__(message)
        self.status = status
        self.body = body


class DeviceRevoked(SyncError):
    """401: the device token no longer works; sign in again. Nothing was applied."""


@dataclass(frozen=True)
class Stop:
    """Why the server stopped looking at a batch (`gap` or `transient`)."""

    reason: str
    message: str = ""
    waiting_for_seq: int | None = None
    retry_after: float | None = None


@dataclass
class PushReport:
    """What one `push()` achieved."""

    batches: int = 0
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0
    stopped: Stop | None = None
    pending: int = 0


@dataclass
class PullReport:
    """What one `pull()` fetched: pages, changes, upserts, deletes and the bytes on the wire."""

    pages: int = 0
    changes: int = 0
    upserts: int = 0
    deletes: int = 0
    wire_bytes: int = 0
    resets: int = 0
    entities: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """A command the server refused for good, kept so the user can see why."""

    op_id: str
    device_seq: int
    name: str
    args: dict[str, Any]
    code: str
    message: str
    fields: dict[str, Any] | None


class SyncClient:
    """A device's sync state in one SQLite file, talking to one server with one bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        db_path: str | Path,
        *,
        transport: Transport = urllib_transport,
        batch_size: int = MAX_BATCH_COMMANDS,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        app_version: str = "reference-client",
    ) -> None:
        """Open (or create) the local store at db_path."""
        if not 1 <= batch_size <= MAX_BATCH_COMMANDS:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH_COMMANDS}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.transport = transport
        self.batch_size = batch_size
        self.timeout = timeout
        self.app_version = app_version
        # Autocommit mode: every write below opens its own explicit transaction.
        self._db = sqlite3.connect(str(db_path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the local store."""
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @staticmethod
    def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
            (key, value, value),
        )

    # Queue -------------------------------------------------------------------------------------

    def enqueue(self, name: str, args: Mapping[str, Any], captured_at: datetime, version: int = 1) -> str:
        """Queue a command; its device_seq is the last one + 1, assigned and stored in one transaction."""
        if captured_at.tzinfo is None:
            raise ValueError("captured_at must carry a time zone")
        op_id = str(uuid.uuid4())
        encoded = json.dumps(dict(args), ensure_ascii=False, sort_keys=True)
        with self._transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'last_seq'").fetchone()
            seq = (int(row[0]) if row else 0) + 1
            self._set_meta(db, "last_seq", str(seq))
            db.execute(
                "INSERT INTO queue (device_seq, op_id, name, version, args, captured_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (seq, op_id, name, version, encoded, captured_at.isoformat()),
            )
        return op_id

    def pending(self) -> int:
        """How many commands wait for the server's acknowledgement."""
        count: int = self._db.execute("SELECT COUNT(*) FROM queue").fetchone()[0]
        return count

    def queued(self) -> list[dict[str, Any]]:
        """The queued commands in sequence order, as they go on the wire."""
        rows = self._db.execute(
            "SELECT op_id, device_seq, name, version, args, captured_at FROM queue ORDER BY device_seq"
        ).fetchall()
        return [_command(row) for row in rows]

    def acknowledgement(self, op_id: str) -> tuple[str, dict[str, Any] | None] | None:
        """(status, result) the server gave for op_id, or None while it is unacknowledged."""
        row = self._db.execute("SELECT status, result FROM acknowledged WHERE op_id = ?", (op_id,)).fetchone()
        if row is None:
            return None
        return str(row[0]), None if row[1] is None else json.loads(row[1])

    def rejected(self) -> list[Rejection]:
        """Commands the server refused, in sequence order, with the reason."""
        rows = self._db.execute(
            "SELECT op_id, device_seq, name, args, code, message, fields FROM rejected ORDER BY device_seq"
        ).fetchall()
        return [
            Rejection(
                row[0],
                row[1],
                row[2],
                json.loads(row[3]),
                row[4],
                row[5],
                json.loads(row[6]) if row[6] else None,
            )
            for row in rows
        ]

    # Push --------------------------------------------------------------------------------------

    def push(self) -> PushReport:
        """Send queued commands in seq order, batch by batch, until the queue is empty or the server stops."""
        report = PushReport()
        limit = self.batch_size
        while True:
            batch = self._next_batch(limit)
            if not batch:
                break
            body = self._push_body(batch)
            response = self._send("POST", "/api/sync/push", body)
            if response.status == 413 and len(batch) > 1:
                limit = max(1, len(batch) // 2)
                continue
            answer = self._answer(response)
            report.batches += 1
            stop = self._acknowledge(batch, answer, report)
            if stop is not None:
                report.stopped = stop
                break
        report.pending = self.pending()
        return report

    def _next_batch(self, limit: int) -> list[dict[str, Any]]:
        """The first queued commands, at most `limit` and within the byte limit (at least one)."""
        rows = self._db.execute(
            "SELECT op_id, device_seq, name, version, args, captured_at FROM queue "
            "ORDER BY device_seq LIMIT ?",
            (limit,),
        ).fetchall()
        batch: list[dict[str, Any]] = []
        size = _ENVELOPE_BYTES
        for row in rows:
            command = _command(row)
            size += len(json.dumps(command, ensure_ascii=False).encode())
            if batch and size > MAX_BATCH_BYTES:
                break
            batch.append(command)
        return batch

    def _push_body(self, batch: list[dict[str, Any]]) -> bytes:
        document = {
            "protocol_version": PROTOCOL_VERSION,
            "commands": batch,
            "telemetry": {"app_version": self.app_version, "pending": self.pending()},
        }
        return json.dumps(document, ensure_ascii=False).encode()

    def _acknowledge(
        self, batch: list[dict[str, Any]], answer: dict[str, Any], report: PushReport
    ) -> Stop | None:
        """Drop acknowledged commands from the queue (one transaction); the server's stop, if any."""
        sent = {command["op_id"]: command for command in batch}
        results = answer.get("results") or []
        with self._transaction() as db:
            for result in results:
                command = sent.get(result.get("op_id"))
                if command is None:
                    raise SyncError(f"the server answered for a command not sent: {result!r}", 200, answer)
                status = result.get("status")
                if status not in ("applied", "duplicate", "rejected"):
                    raise SyncError(f"unknown result status {status!r}", 200, answer)
                db.execute("DELETE FROM queue WHERE op_id = ?", (command["op_id"],))
                payload = result.get("result")
                db.execute(
                    "INSERT INTO acknowledged (op_id, device_seq, status, result) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(op_id) DO NOTHING",
                    (
                        command["op_id"],
                        command["device_seq"],
                        status,
                        None if payload is None else json.dumps(payload),
                    ),
                )
                if status == "rejected":
                    db.execute(
                        "INSERT INTO rejected (op_id, device_seq, name, args, code, message, fields) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(op_id) DO NOTHING",
                        (
                            command["op_id"],
                            command["device_seq"],
                            command["name"],
                            json.dumps(command["args"], ensure_ascii=False),
                            str(result.get("code") or "rejected"),
                            str(result.get("message") or ""),
                            json.dumps(result["fields"], ensure_ascii=False)
                            if result.get("fields")
                            else None,
                        ),
                    )
                setattr(report, status, getattr(report, status) + 1)
            last = answer.get("last_applied_seq")
            if isinstance(last, int):
                # Authoritative: anything at or below it was looked at already (a result we never saw).
                db.execute(
                    "INSERT INTO acknowledged (op_id, device_seq, status) "
                    "SELECT op_id, device_seq, 'duplicate' FROM queue WHERE device_seq <= ? "
                    "ON CONFLICT(op_id) DO NOTHING",
                    (last,),
                )
                db.execute("DELETE FROM queue WHERE device_seq <= ?", (last,))
            if answer.get("cursor"):
                self._set_meta(db, "push_cursor", str(answer["cursor"]))
        stopped = answer.get("stopped")
        if not stopped:
            if not results:
                raise SyncError("the server acknowledged nothing and did not say why", 200, answer)
            return None
        retry = stopped.get("retry_after")
        return Stop(
            str(stopped.get("reason")),
            str(stopped.get("message") or ""),
            stopped.get("waiting_for_seq"),
            None if retry is None else float(retry),
        )

    # Pull --------------------------------------------------------------------------------------

    @property
    def cursor(self) -> str:
        """The pull cursor to send next ("" before the first snapshot)."""
        return self._meta("cursor") or ""

    def pull(self, limit: int = 500) -> PullReport:
        """Follow the cursor page by page; each page's changes and its cursor are stored together."""
        report = PullReport()
        while True:
            body = json.dumps({"cursor": self.cursor, "limit": limit}).encode()
            response = self._send("POST", "/api/sync/pull", body)
            report.wire_bytes += len(response.body)
            if response.status == 410 and self.cursor and not report.resets:
                # The server pruned the changes after this cursor: drop the cache and download it again.
                with self._transaction() as db:
                    db.execute("DELETE FROM entities")
                    self._set_meta(db, "cursor", "")
                report.resets += 1
                continue
            page = self._answer(response)
            changes = page.get("changes") or []
            with self._transaction() as db:
                for change in changes:
                    self._apply_change(db, change, report)
                self._set_meta(db, "cursor", str(page["cursor"]))
            report.pages += 1
            report.changes += len(changes)
            if not page.get("has_more"):
                return report

    @staticmethod
    def _apply_change(db: sqlite3.Connection, change: Mapping[str, Any], report: PullReport) -> None:
        entity, entity_id = str(change["entity"]), int(change["id"])
        report.entities[entity] = report.entities.get(entity, 0) + 1
        if change["op"] == "delete":
            db.execute("DELETE FROM entities WHERE entity = ? AND id = ?", (entity, entity_id))
            report.deletes += 1
        elif change["op"] == "upsert":
            data = json.dumps(change.get("data") or {}, ensure_ascii=False)
            db.execute(
                "INSERT INTO entities (entity, id, data) VALUES (?, ?, ?) "
                "ON CONFLICT(entity, id) DO UPDATE SET data = excluded.data",
                (entity, entity_id, data),
            )
            report.upserts += 1
        else:
            raise SyncError(f"unknown change op {change['op']!r}")

    def entity(self, entity: str, entity_id: int) -> dict[str, Any] | None:
        """One cached entity's data, or None when it is not (or no longer) in this device's scope."""
        row = self._db.execute(
            "SELECT data FROM entities WHERE entity = ? AND id = ?", (entity, entity_id)
        ).fetchone()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row[0])
        return data

    def entities(self, entity: str) -> dict[int, dict[str, Any]]:
        """Every cached entity of one kind, by id."""
        rows = self._db.execute(
            "SELECT id, data FROM entities WHERE entity = ? ORDER BY id", (entity,)
        ).fetchall()
        return {int(row[0]): json.loads(row[1]) for row in rows}

    # HTTP --------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: bytes | None) -> HttpResponse:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
        }
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        return self.transport(method, self.base_url + path, headers, body, self.timeout)

    @staticmethod
    def _answer(response: HttpResponse) -> dict[str, Any]:
        """The decoded JSON body of a 200; DeviceRevoked on 401, SyncError on any other status."""
        raw = response.body
        if response.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            document = json.loads(raw) if raw else None
        except ValueError:
            document = raw[:500].decode(errors="replace")
        if response.status == 401:
            raise DeviceRevoked(_reason(document, "the device token was refused"), 401, document)
        if response.status != 200 or not isinstance(document, dict):
            raise SyncError(
                f"HTTP {response.status}: {_reason(document, 'unexpected answer')}", response.status, document
            )
        if document.get("protocol_version") != PROTOCOL_VERSION:
            raise SyncError(
                f"unsupported protocol_version {document.get('protocol_version')!r}", 200, document
            )
        return document


def _command(row: tuple[Any, ...]) -> dict[str, Any]:
    op_id, seq, name, version, args, captured_at = row
    return {
        "op_id": op_id,
        "device_seq": seq,
        "name": name,
        "version": version,
        "args": json.loads(args),
        "captured_at": captured_at,
    }


def _reason(document: Any, default: str) -> str:
    if isinstance(document, dict):
        return str(document.get("message") or document.get("errors") or default)
    return str(document) if document else default
