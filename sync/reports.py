""" "My reports": what became of everything a user reported from the field, on any of their devices.

Status change requests (waiting, confirmed, rejected, cancelled, expired), inspections (recorded) and the
commands the server refused (refused, with why), newest first, in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import RequestState
from backend.field.services import inspections, status_requests
from backend.org.domain.org import ASSET_STATUS_NAMES
from sync.engine import Translator, render_refusal

# A report's state as its author reads it; a pending request waits for a second person.
STATES = ("waiting", "confirmed", "rejected", "cancelled", "expired", "recorded", "refused")
_REQUEST_STATES = {
    RequestState.PENDING: "waiting",
    RequestState.CONFIRMED: "confirmed",
    RequestState.REJECTED: "rejected",
    RequestState.CANCELLED: "cancelled",
    RequestState.EXPIRED: "expired",
}
_WANTED_REQUEST_STATES = {label: state for state, label in _REQUEST_STATES.items()}
_COMMANDS = {
    "status_change.request": N_("Status report"),
    "status_change.confirm": N_("Confirmation"),
    "status_change.reject": N_("Rejection"),
    "status_change.cancel": N_("Withdrawal"),
    "inspection.submit": N_("Inspection"),
    "work_order.move": N_("Work order"),
    "photo.attach": N_("Photo"),
    "meter.reading": N_("Meter reading"),
}
_STATUS_CHANGE = N_("%(asset)s: %(from_status)s → %(to_status)s")
_INSPECTION = N_("%(asset)s: inspection, %(result)s")
_REFUSED = N_("%(command)s refused")
MAX_REACH = 5000  # reports read from each source for one page
_RESULTS = {"pass": N_("passed"), "fail": N_("failed")}


@dataclass(frozen=True)
class MyReport:
    """One report as its author sees it."""

    kind: str
    id: int
    state: str
    summary: str
    submitted_at: datetime
    captured_at: datetime | None = None
    op_id: str | None = None
    asset_id: int | None = None
    asset_code: str | None = None
    project_id: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    note: str | None = None
    decision_note: str | None = None
    decided_by_name: str | None = None
    decided_at: datetime | None = None
    checklist_id: int | None = None
    message: str | None = None
    fields: dict[str, list[str]] | None = None


def _request(row: Any, t: Translator) -> MyReport:
    names = {
        "asset": row.asset.code,
        "from_status": t.message(ASSET_STATUS_NAMES[row.from_status.value], {}),
        "to_status": t.message(ASSET_STATUS_NAMES[row.to_status.value], {}),
    }
    return MyReport(
        "status_request",
        row.id,
        _REQUEST_STATES[row.state_now],
        t.message(_STATUS_CHANGE, names),
        row.submitted_at,
        captured_at=row.captured_at,
        asset_id=row.asset_id,
        asset_code=row.asset.code,
        project_id=row.project_id,
        from_status=row.from_status.value,
        to_status=row.to_status.value,
        reason=row.reason,
        note=row.note,
        decision_note=row.decision_note,
        decided_by_name=row.decided_by_name,
        decided_at=row.decided_at,
    )


def _inspection(row: Any, t: Translator) -> MyReport:
    result = row.result.value
    names = {"asset": row.asset.code, "result": t.message(_RESULTS.get(result, result), {})}
    return MyReport(
        "inspection",
        row.id,
        "recorded",
        t.message(_INSPECTION, names),
        row.submitted_at,
        captured_at=row.captured_at,
        asset_id=row.asset_id,
        asset_code=row.asset.code,
        project_id=row.project_id,
        note=row.note,
        checklist_id=row.checklist_id,
    )


def _refused(row: Any, assets: dict[int, Any], t: Translator) -> MyReport:
    message, fields = render_refusal(row, t)
    args = row.args or {}
    asset_id = args.get("asset_id")
    asset = assets.get(asset_id) if isinstance(asset_id, int) else None
    command = t.message(_COMMANDS.get(row.name, row.name), {})
    summary = t.message(_REFUSED, {"command": command})
    if asset is not None:
        summary = f"{asset.code}: {summary}"
    to_status = args.get("to_status") if row.name == "status_change.request" else None
    return MyReport(
        "refused",
        row.id,
        "refused",
        summary,
        row.rejected_at,
        captured_at=row.captured_at,
        op_id=row.op_id,
        asset_id=asset.id if asset is not None else None,
        asset_code=asset.code if asset is not None else None,
        project_id=asset.project_id if asset is not None else None,
        to_status=to_status if isinstance(to_status, str) else None,
        reason=args.get("reason") if isinstance(args.get("reason"), str) else None,
        note=args.get("note") if isinstance(args.get("note"), str) else None,
        message=message,
        fields=fields,
    )


def my_reports(
    state: str | None,
    page: int,
    page_size: int,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    translator: Translator,
) -> tuple[list[MyReport], int]:
    """The actor's own reports from every device, newest first, optionally of one state; reads only.

    Each source is read up to the end of the page asked for and the three are merged by time, so a page is
    exact whatever the mix.
    """
    if state is not None and state not in STATES:
        raise ValidationFailed(
            {"state": [Message(N_("Must be one of: %(choices)s."), choices=", ".join(STATES))]}
        )
    wanted = page * page_size
    if wanted > MAX_REACH:
        reach = N_("The list reaches back %(max)s reports; filter by state to see older ones.")
        raise ValidationFailed({"page": [Message(reach, max=MAX_REACH)]})
    user_id = actor.user_id
    if user_id is None:
        return [], 0
    actor.require(P.ASSET_READ)
    newest = (SortKey("submitted_at", descending=True),)
    items: list[MyReport] = []
    total = 0
    if state is None or state in _WANTED_REQUEST_STATES:
        filters: dict[str, Any] = {"applicant_id": user_id}
        if state is not None:
            filters["state"] = _WANTED_REQUEST_STATES[state]
        rows, count = status_requests.list_requests(
            ListQuery(filters, newest, 1, wanted), False, actor, uow, now
        )
        items += [_request(row, translator) for row in rows]
        total += count
    if state in (None, "recorded"):
        query = ListQuery({"inspector_id": user_id}, newest, 1, wanted)
        rows, count = inspections.list_inspections(query, actor, uow)
        items += [_inspection(row, translator) for row in rows]
        total += count
    if state in (None, "refused"):
        refused = uow.sync.rejections_of(user_id, wanted)
        asset_ids = {
            r.args.get("asset_id") for r in refused if isinstance((r.args or {}).get("asset_id"), int)
        }
        assets = _visible_assets(asset_ids, actor, uow)
        items += [_refused(row, assets, translator) for row in refused]
        total += uow.sync.count_rejections_of(user_id)
    items.sort(key=lambda item: (item.submitted_at, item.id), reverse=True)
    start = (page - 1) * page_size
    return items[start : start + page_size], total


def _visible_assets(asset_ids: set[Any], actor: Actor, uow: UnitOfWork) -> dict[int, Any]:
    """The assets a refusal names that the actor still sees (one out of scope is not named)."""
    scope = actor.scope_for(P.ASSET_READ)
    found = {}
    for asset_id in asset_ids:
        asset = uow.assets.find(asset_id)
        if asset is not None and scope.covers_project(asset.project_id, asset.project.region_id):
            found[asset_id] = asset
    return found
