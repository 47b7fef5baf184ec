"""Why not? For one lease: the rules that apply to each of its dates, when each tier fires or fired, to
whom, on which channels, what became of each delivery, and why any tier is skipped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.lease_export import STATUS_LABELS
from backend.leasing.domain.leases import LeaseStatus
from backend.leasing.services import calendars, tags
from backend.notify.services.notifications import deliveries_about
from backend.reminders.domain.dates import REMINDED_KINDS
from backend.reminders.domain.plan import REASONS, Planned, Reason, blockers
from backend.reminders.domain.rules import TaskKind
from backend.reminders.services.engine import (
    SUBJECT,
    People,
    Project,
    live_leases,
    notice_day,
    people_of,
    planned_of,
    project_today,
    recipients,
)
from backend.reminders.services.rules import book

FAILED_STATES = ("failed", "gave_up")
AUTO_RENEWAL = "auto_renewal"  # the drafting of an automatic renewal, explained like a date kind
EXPLAINED_KINDS = (*(k.value for k in REMINDED_KINDS), AUTO_RENEWAL)


def _reason(code: Reason, **params: Any) -> dict[str, Any]:
    return {"code": code.value, "template": REASONS[code], "params": params}


def explain(lease_id: int, kind: str | None, actor: Actor, uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    """The whole story of a lease's reminders (of one date kind), as of now, in the lease's scope."""
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
    project_row = lease.project
    today = project_today(now, project_row.timezone)
    calendar = calendars.calendar_of(project_row.holiday_calendar)
    project = Project(project_row.id, project_row.region_id, today, calendar.is_working_day)
    found = live_leases(uow, [project.id], today, [lease.id])
    tag_list = tag_views(uow, lease)
    warnings = [
        _reason(Reason.TAG_FLAGGED, tag=t["tag"], source=t["source_label"])
        for t in tag_list
        if t["stops_renewal"] and t["state"] == "flagged"
    ]
    tasks = uow.reminder_tasks.of_leases([lease.id])
    deliveries = deliveries_about(uow, SUBJECT, [t.id for t in tasks])
    names = uow.users.people({t.assignee_id for t in tasks} | {t.recipient_id for t in tasks})
    rules = book(uow, [lease.template_id])
    dates: list[dict[str, Any]] = []
    if found:
        item = found[0]
        people = people_of(uow, project.id, project.region_id)
        silencers = [t["confirmed_by"] or t["set_by"] for t in tag_list if t["silences"]]
        silencer = next((person["name"] for person in silencers if person), "—")
        for critical in item.dates:
            if critical.kind not in REMINDED_KINDS or (kind and critical.kind.value != kind):
                continue
            tiers = [
                _tier(planned, item, people, tasks, deliveries, names, today, silencer)
                for planned in planned_of(_only(item, critical), project, rules)
            ]
            dates.append(
                {
                    "date_kind": critical.kind.value,
                    "date": critical.on,
                    "source": critical.source.value,
                    "label": critical.label,
                    "rules": "default" if rules.is_default(lease.template_id, critical.kind) else "template",
                    "tiers": tiers,
                }
            )
        renewal = _renewal(item, tasks, names, today) if kind in (None, "", AUTO_RENEWAL) else None
        if renewal is not None:
            dates.append(renewal)
    return {
        "lease": {
            "id": lease.id,
            "number": lease.number,
            "status": lease.status.value,
            "project_id": lease.project_id,
            "project_name": project_row.name,
            "ends_on": lease.ends_on,
            "auto_renew": lease.auto_renew,
            "template_id": lease.template_id,
            "template_name": lease.template.name,
        },
        "today": today,
        "tags": tag_list,
        "dates": sorted(dates, key=lambda d: (d["date"], d["date_kind"])),
        "warnings": warnings,
    }


def tag_views(uow: UnitOfWork, lease: Any) -> list[dict[str, Any]]:
    """A lease's tags with who set them, how, and whether they carry authority."""
    marks = tags.marks(uow, lease)
    people = uow.users.people(
        {m["set_by_id"] for m in marks if m["set_by_id"]}
        | {m["confirmed_by_id"] for m in marks if m["confirmed_by_id"]}
    )
    return [_tag(mark, people) for mark in marks]


def confirm_tag(
    lease_id: int, tag: str, actor: Actor, uow: UnitOfWork, now: datetime
) -> list[dict[str, Any]]:
    """Confirm a lease's flagged tag (lease:approve over its project) and return its tags as explained."""
    tags.confirm(lease_id, tag, actor, uow, now)
    return tag_views(uow, uow.leases.get(lease_id, actor.require(P.LEASE_READ)))


def _only(item: Any, critical: Any) -> Any:
    """The lease with one date, to plan it alone."""
    return replace(item, dates=[critical])


def _name(people: Mapping[int, Any], user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    row = people.get(user_id)
    return {"id": user_id, "name": (row.display_name or row.username) if row is not None else str(user_id)}


def _tag(mark: Mapping[str, Any], people: Mapping[int, Any]) -> dict[str, Any]:
    state = "authorised" if mark["authorised"] else "flagged"
    set_by = _name(people, mark["set_by_id"])
    source = mark["source"].value if hasattr(mark["source"], "value") else str(mark["source"])
    return {
        "tag": mark["tag"],
        "source": source,
        "source_label": f"{source} ({set_by['name']})" if set_by else source,
        "set_by": set_by,
        "set_at": mark["set_at"],
        "state": state,
        "confirmed_by": _name(people, mark["confirmed_by_id"]),
        "confirmed_at": mark["confirmed_at"],
        "stops_renewal": mark["stops_renewal"],
        "silences": bool(mark["stops_renewal"] and mark["authorised"]),
    }


def _tier(
    planned: Planned,
    item: Any,
    people: People,
    tasks: Sequence[Any],
    deliveries: Mapping[int, list[Any]],
    names: Mapping[int, Any],
    today: date,
    by: str,
) -> dict[str, Any]:
    """One tier: its day (nominal and rolled), what was sent to whom, how each delivery went; or why not."""
    mine = [
        t
        for t in tasks
        if t.kind is TaskKind.REMINDER
        and t.date_kind is planned.critical.kind
        and t.critical_date == planned.critical.on
        and t.tier == planned.tier.number
    ]
    reasons: list[dict[str, Any]] = []
    sent_to = []
    for task in mine:
        rows = deliveries.get(task.id, [])
        for delivery in rows:
            if delivery.state.value in FAILED_STATES:
                reasons.append(
                    _reason(
                        Reason.CHANNEL_FAILED,
                        channel=delivery.channel.value,
                        recipient=_name(names, task.recipient_id)["name"],  # type: ignore[index]
                        error=delivery.last_error or delivery.state.value,
                    )
                )
        sent_to.append(
            {
                "user": _name(names, task.recipient_id),
                "assignee": _name(names, task.assignee_id),
                "task_id": task.id,
                "task_state": task.state.value,
                "sent_at": task.sent_at,
                "late": task.late,
                "deliveries": [
                    {"channel": d.channel.value, "state": d.state.value, "error": d.last_error} for d in rows
                ],
            }
        )
    if mine:
        state = "sent_late" if any(t.late for t in mine) else "sent"
    else:
        stopped = blockers(planned.critical.kind, item.state)
        if stopped:
            state = "skipped"
            reasons += [_blocked(code, item, by) for code in stopped]
        elif planned.missed(today):
            state = "missed"
            reasons.append(_reason(Reason.DATE_PASSED, date=planned.critical.on.isoformat()))
        elif not recipients(planned.tier.roles, item.row, people):
            state = "skipped" if planned.is_due(today) else "scheduled"
            reasons.append(_reason(Reason.NO_RECIPIENT, roles=", ".join(planned.tier.roles)))
        else:
            state = "scheduled"
    return {
        "tier": planned.tier.number,
        "tier_count": planned.tier_count,
        "days_before": planned.tier.days_before,
        "nominal_on": planned.nominal_on,
        "fire_on": planned.fire_on,
        "rolled": planned.rolled,
        "roles": list(planned.tier.roles),
        "channels": list(planned.tier.channels),
        "ack_required": planned.tier.ack_required,
        "state": state,
        "reasons": reasons,
        "recipients": sent_to,
    }


def _blocked(code: Reason, item: Any, by: str) -> dict[str, Any]:
    if code is Reason.NO_RENEWAL_TAG:
        return _reason(code, tag=item.state.silencing_tag, by=by)
    if code is Reason.LEASE_NOT_LIVE:
        return _reason(code, status={"message": STATUS_LABELS[LeaseStatus(item.state.status)]})
    return _reason(code)


def _renewal(item: Any, tasks: Sequence[Any], names: Mapping[int, Any], today: date) -> dict[str, Any] | None:
    """For an auto-renewing lease: when its renewal is drafted, or what was drafted."""
    if not item.row.auto_renew:
        return None
    notice_on = notice_day(item)
    if notice_on is None:
        return None
    drafted = [t for t in tasks if t.kind is TaskKind.AUTO_RENEWAL]
    return {
        "date_kind": AUTO_RENEWAL,
        "date": notice_on,
        "source": "derived",
        "label": item.successor[1] if item.successor else None,
        "rules": "default",
        "tiers": [
            {
                "tier": 0,
                "tier_count": 0,
                "days_before": 0,
                "nominal_on": notice_on,
                "fire_on": notice_on,
                "rolled": False,
                "roles": ["project_manager"],
                "channels": [],
                "ack_required": False,
                "state": "sent"
                if drafted
                else ("missed" if item.terms.ends_on and item.terms.ends_on < today else "scheduled"),
                "reasons": [],
                "recipients": [
                    {
                        "user": _name(names, t.recipient_id),
                        "assignee": _name(names, t.assignee_id),
                        "task_id": t.id,
                        "task_state": t.state.value,
                        "sent_at": t.sent_at,
                        "late": t.late,
                        "deliveries": [],
                    }
                    for t in drafted
                ],
            }
        ],
    }
