"""Pulling: a paged snapshot of a device's scope, then the changes since a server sequence.

The cursor is opaque to the phone: the phase, the snapshot position (entity, last id), a server sequence of
the change log and a fingerprint of the project set the phone holds. Changes are collapsed per entity and
carry the latest state read from the tables; a row gone, or no longer in the scope, is a `delete`. Per device
the server keeps the project set it last sent (and the one before, in case that response was lost), so a
project that leaves the scope reaches the phone as deletes of it and everything of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from sync.engine import Translator, render_refusal
from sync.protocol import Change, Cursor, CursorExpired, PullPage, decode_cursor, encode_cursor

ENTITIES = ("project", "checklist", "asset", "status_request", "work_order", "rejection")
REFRESH = "refresh"
FIELDS = {
    "project": (
        "id code name city timezone geofence geofence_radius_m remote_confirmation_allowed "
        "remote_report_allowed gps_max_accuracy_m gps_tolerance_m"
    ),
    "asset": (
        "id project_id code name kind asset_type floor status status_version latitude longitude "
        "geofence geofence_radius_m"
    ),
    "checklist": "id code version name name_en asset_type",
    "checklist_item": "key label_zh label_en kind required number_min number_max number_unit position",
    "status_request": (
        "id asset_id project_id from_status to_status base_version state conflict reason note applicant_id "
        "applicant_name submitted_at expires_at decided_at decision_note decided_by_name "
        "report_remote_reason plausibility_flags"
    ),
    "work_order": "id asset_id project_id kind state title note assignee_id meter_unit meter_value",
    "rejection": "id op_id device_seq name code message fields rejected_at",
}


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _data(kind: str, row: Any) -> dict[str, Any]:
    return {name: _json(getattr(row, name)) for name in FIELDS[kind].split()}


def serialise(entity: str, row: Any, translator: Translator | None = None) -> dict[str, Any]:
    """The `data` of an upsert; a refusal's messages in the translator's language where one is given."""
    data = _data(entity, row)
    if entity == "checklist":
        data["title_zh"], data["title_en"] = row.name, row.name_en
        data["items"] = [_data("checklist_item", item) for item in row.items]
    if entity == "rejection" and translator is not None:
        data["message"], data["fields"] = render_refusal(row, translator)
    return data


def fingerprint(project_ids: Iterable[int]) -> str:
    """A short digest of a project set, carried in the cursor."""
    text = ",".join(str(p) for p in sorted(set(project_ids)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _held(cursor: Cursor, state: Any) -> set[int]:
    """The projects the phone holds, as far as the cursor tells."""
    current, previous = set(state.projects or []), set(state.previous_projects or [])
    if cursor.scope in ("", fingerprint(current)):
        return current
    if cursor.scope == fingerprint(previous):
        return previous
    return current | previous


def _loss_of_access(removed: Collection[int], uow: UnitOfWork) -> list[Change]:
    changes = [Change("project", project_id, "delete") for project_id in sorted(removed)]
    changes.extend(Change(entity, row_id, "delete") for entity, row_id in uow.sync.of_projects(removed))
    return changes


class _Reader:
    """One pull: the device, its user, the projects now in scope."""

    def __init__(
        self, device_id: int, actor: Actor, uow: UnitOfWork, translator: Translator | None = None
    ) -> None:
        self.device_id = device_id
        self.translator = translator
        self.user_id = actor.user_id or 0
        self.uow = uow
        self.projects = uow.sync.project_ids(actor.scope_for(P.ASSET_READ))

    def snapshot(self, cursor: Cursor, limit: int) -> tuple[list[Change], Cursor, bool]:
        changes: list[Change] = []
        entity, last_id = cursor.entity, cursor.last_id
        while entity < len(ENTITIES) and len(changes) < limit:
            wanted = limit - len(changes)
            name = ENTITIES[entity]
            rows = self.uow.sync.snapshot_page(
                name, last_id, wanted, self.projects, self.user_id, self.device_id
            )
            changes.extend(
                Change(name, row.id, "upsert", serialise(name, row, self.translator)) for row in rows
            )
            if len(rows) < wanted:
                entity, last_id = entity + 1, 0
            else:
                last_id = rows[-1].id
        scope = fingerprint(self.projects)
        if entity >= len(ENTITIES):
            return changes, Cursor("changes", cursor.seq, scope=scope), self.uow.sync.last_seq() > cursor.seq
        return changes, Cursor("snapshot", cursor.seq, entity, last_id, scope), True

    def changes(self, cursor: Cursor, limit: int) -> tuple[list[Change], Cursor, bool]:
        rows = self.uow.sync.changes_after(cursor.seq, limit)
        in_scope = set(self.projects)
        latest: dict[tuple[str, int], None] = {}
        seq = cursor.seq
        for row in rows:
            if row.op == REFRESH and (row.project_id is None or row.project_id in in_scope):
                # A bulk insert: re-read the whole scope as of the insert, then carry on after it.
                done = self._collapse(latest)
                more, after, _ = self.snapshot(Cursor("snapshot", row.seq), max(limit - len(done), 1))
                return done + more, after, True
            seq = row.seq
            # Rows of other projects are none of this phone's business (not even as deletes).
            if row.op != REFRESH and (row.project_id is None or row.project_id in in_scope):
                latest.pop((row.entity, row.entity_id), None)
                latest[(row.entity, row.entity_id)] = None
        has_more = len(rows) == limit
        return self._collapse(latest), Cursor("changes", seq, scope=fingerprint(self.projects)), has_more

    def _collapse(self, latest: dict[tuple[str, int], None]) -> list[Change]:
        by_entity: dict[str, list[int]] = {}
        for entity, row_id in latest:
            by_entity.setdefault(entity, []).append(row_id)
        found = {
            entity: self.uow.sync.wanted_rows(entity, ids, self.projects, self.user_id, self.device_id)
            for entity, ids in by_entity.items()
        }
        changes: list[Change] = []
        for entity, row_id in latest:
            row = found[entity].get(row_id)
            if row is not None:
                changes.append(Change(entity, row_id, "upsert", serialise(entity, row, self.translator)))
            elif entity != "rejection":
                changes.append(Change(entity, row_id, "delete"))
        return changes


def pull(
    cursor_text: str | None,
    limit: int,
    device_id: int,
    actor: Actor,
    uow: UnitOfWork,
    translator: Translator | None = None,
) -> PullPage:
    """One page of the device's feed from a cursor (None or empty: a full snapshot); commits once.

    `translator`: the reader's language, in which refusals are shown (else as they were recorded).

    It records what the device now holds (its projects and position), so `uow` is one of its own, opened
    for writing: on SQLite it then waits for the write lock instead of being refused it.
    """
    cursor = decode_cursor(cursor_text)
    if cursor is not None and cursor.seq < uow.sync.horizon():
        raise CursorExpired()
    uow.sync.ensure_state(device_id)
    uow.flush()
    state = uow.sync.locked_state(device_id)
    reader = _Reader(device_id, actor, uow, translator)
    current = set(reader.projects)
    lost: list[Change] = []
    if cursor is None:
        cursor = Cursor("snapshot", uow.sync.last_seq())
        held = current
    else:
        held = _held(cursor, state)
        lost = _loss_of_access(held - current, uow)
        if current - held:
            # New projects: send their contents by a (re)started snapshot, then go on from the same sequence.
            cursor = Cursor("snapshot", cursor.seq)
    room = max(limit - len(lost), 1)
    if cursor.phase == "snapshot":
        changes, after, has_more = reader.snapshot(cursor, room)
    else:
        changes, after, has_more = reader.changes(cursor, room)
    state.previous_projects, state.projects = sorted(held), sorted(current)
    state.pull_seq = after.seq if after.phase == "changes" else None
    uow.commit()
    return PullPage(tuple(lost + changes), encode_cursor(after), has_more)


def page_size(requested: int | None, default: int, maximum: int) -> int:
    """The page size asked for, within bounds."""
    return default if requested is None else max(1, min(requested, maximum))
