"""Flags: recomputed from the signals (daily for every asset, within minutes for assets whose data just
arrived), listed in scope, dismissed with a reason, answered by an inspection. New flags are told to the
project's managers."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.domain.reasons import says_something
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.iot.domain.flags import (
    DEFAULT_POLICY,
    KIND_NAMES,
    OPEN_STATES,
    AssetSignals,
    FlagKind,
    FlagPolicy,
    FlagState,
    Occupancy,
    detect,
    reconcile,
)
from backend.iot.domain.signals import DeviceHistory, asset_series
from backend.leasing.services.calendars import calendar_of
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services.notifications import notify

CHUNK = 400
# Someone expected at the door: a viewing from a little before to a little after, our own people's visits.
VIEWING_MARGIN = timedelta(minutes=30)
VISIT_MARGIN = timedelta(hours=1)
REASON_LENGTH = 1000
Progress = Callable[[int, int], None]


@dataclass
class FlagRunReport:
    """What a recomputation did."""

    assets: int = 0
    raised: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    resolved: int = 0

    def as_details(self) -> dict[str, Any]:
        """The job run's figures."""
        return {"assets": self.assets, "raised": dict(self.raised), "updated": self.updated,
                "resolved": self.resolved}  # fmt: skip


def project_today(zone: str, now: datetime) -> date:
    """A project's day at a moment."""
    return now.astimezone(ZoneInfo(zone)).date()


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def asset_signals(
    assets: Sequence[Any], uow: UnitOfWork, now: datetime, policy: FlagPolicy = DEFAULT_POLICY
) -> dict[int, AssetSignals]:
    """What the flags of each asset read, in a handful of statements for the whole chunk."""
    if not assets:
        return {}
    ids = [row.id for row in assets]
    since = now - timedelta(days=policy.history_days)
    door_since = now - timedelta(days=policy.window_days + 2)
    histories = uow.iot_readings.histories(ids, since)
    devices: dict[int, list[Any]] = {}
    for device in uow.iot_devices.of_assets(ids):
        devices.setdefault(device.asset_id, []).append(device)
    lettings = uow.iot_facts.lettings(ids)
    opens = uow.iot_readings.door_opens(ids, door_since)
    viewings = uow.iot_viewings.windows(ids, door_since)
    visits = uow.iot_facts.visits(ids, door_since)
    dismissed = uow.iot_flags.dismissed_until(ids)
    found: dict[int, AssetSignals] = {}
    for row in assets:
        zone = ZoneInfo(row.timezone)
        calendar = calendar_of(row.holiday_calendar)
        histories_of = [
            DeviceHistory(d.meter, d.mode, d.interval_minutes, histories.get(d.id, ()))
            for d in devices.get(row.id, ())
            if d.meter is not None
        ]
        expected = [(s - VIEWING_MARGIN, e + VIEWING_MARGIN) for s, e in viewings.get(row.id, ())]
        expected += [(s - VISIT_MARGIN, e + VISIT_MARGIN) for s, e in visits.get(row.id, ())]
        found[row.id] = AssetSignals(
            asset_id=row.id,
            kind=row.kind,
            status=row.status,
            area_m2=row.area_m2,
            today=project_today(row.timezone, now),
            occupancy=Occupancy(tuple((s, e, lease) for s, e, lease, _, _ in lettings.get(row.id, ()))),
            series=asset_series(histories_of, zone),
            door_opens=tuple(opens.get(row.id, ())),
            expected_visits=tuple(expected),
            zone_day=_day_in(zone),
            working_day=calendar.is_working_day,
            dismissed_until=dismissed.get(row.id, {}),
        )
    return found


def _day_in(zone: ZoneInfo) -> Callable[[datetime], date]:
    def day_of(at: datetime) -> date:
        return at.astimezone(zone).date()

    return day_of


def _flag_values(finding: Any, now: datetime) -> dict[str, Any]:
    return {
        "confidence": finding.confidence, "window_from": finding.window_from, "window_to": finding.window_to,
        "evidence": finding.evidence, "lease_id": finding.lease_id, "updated_at": now,
    }  # fmt: skip


def _apply(rows: Sequence[Any], signals: Mapping[int, AssetSignals], uow: UnitOfWork, now: datetime,
           report: FlagRunReport, policy: FlagPolicy) -> list[Any]:  # fmt: skip
    """Raise, update and resolve the chunk's flags; the new ones."""
    open_flags = uow.iot_flags.open_of([row.id for row in rows])
    states: dict[int, dict[FlagKind, FlagState]] = {}
    for (asset_id, kind), flag in open_flags.items():
        states.setdefault(asset_id, {})[kind] = flag.state
    raised: list[Any] = []
    for row in rows:
        current = states.get(row.id, {})
        findings = detect(signals[row.id], policy) if row.id in signals else []
        for change in reconcile(current, findings):
            if change.action == "raise" and change.finding is not None:
                flag = uow.iot_flags.add(
                    asset_id=row.id, project_id=row.project_id, kind=change.kind, state=FlagState.OPEN,
                    raised_at=now, **_flag_values(change.finding, now),
                )  # fmt: skip
                raised.append((flag, row))
                report.raised[change.kind.value] = report.raised.get(change.kind.value, 0) + 1
            elif change.action == "update" and change.finding is not None:
                flag = open_flags[(row.id, change.kind)]
                for name, value in _flag_values(change.finding, now).items():
                    setattr(flag, name, value)
                report.updated += 1
            elif change.action == "resolve":
                flag = open_flags[(row.id, change.kind)]
                flag.state, flag.resolved_at, flag.updated_at = FlagState.RESOLVED, now, now
                report.resolved += 1
    return raised


def _tell(raised: Sequence[Any], uow: UnitOfWork, now: datetime) -> None:
    """Each new flag goes to the managers of its project (who hear of nothing outside their scope)."""
    if not raised:
        return
    uow.flush()
    managers = uow.iot_facts.project_managers({row.project_id for _, row in raised})
    for flag, row in raised:
        notify(
            uow, managers.get(row.project_id, []), NotificationKind.IOT_FLAG_RAISED,
            {"kind": {"message": KIND_NAMES[flag.kind], "params": {}}, "asset": row.code,
             "confidence": f"{int(flag.confidence * 100)}%"},
            project_id=row.project_id, subject=("iot_flag", flag.id), now=now,
        )  # fmt: skip


def recompute(
    uow: UnitOfWork,
    now: datetime,
    project_ids: Collection[int] | None = None,
    asset_ids: Collection[int] | None = None,
    progress: Progress | None = None,
    policy: FlagPolicy = DEFAULT_POLICY,
) -> FlagRunReport:
    """Recompute the flags of some projects' assets (or of given assets, or of all); one commit."""
    rows = uow.iot_facts.assets(project_ids, asset_ids)
    report = FlagRunReport(assets=len(rows))
    raised: list[Any] = []
    done = 0
    for chunk in _chunks(rows):
        signals = asset_signals(chunk, uow, now, policy)
        raised += _apply(chunk, signals, uow, now, report, policy)
        done += len(chunk)
        if progress is not None:
            progress(done, len(rows))
    _tell(raised, uow, now)
    uow.commit()
    return report


def recompute_dirty(uow: UnitOfWork, now: datetime, limit: int = 2000) -> FlagRunReport:
    """Recompute the flags of assets whose data arrived since; they are then marked clean."""
    dirty = uow.iot_readings.dirty(limit)
    if not dirty:
        return FlagRunReport()
    # Cleaned in the recomputation's own commit: a failure leaves them marked for the next run.
    uow.iot_readings.clean(dirty, now)
    return recompute(uow, now, asset_ids=dirty)


# --- the readers' side ---


def labelled(items: Sequence[Any], uow: UnitOfWork) -> Sequence[Any]:
    """Flags or findings with their asset's and project's codes beside them (for a list to show)."""
    labels = uow.iot_audit.asset_labels({item.asset_id for item in items})
    for item in items:
        item.asset_code, item.project_code, _ = labels.get(item.asset_id, (None, None, None))
    return items


def list_flags(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Flags of the projects the actor reads."""
    items, count = uow.iot_flags.page(actor.require(P.ASSET_READ), query)
    return labelled(list(items), uow), count


def get_flag(flag_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One flag in the actor's scope."""
    return labelled([uow.iot_flags.get(flag_id, actor.require(P.ASSET_READ))], uow)[0]


def dismiss(flag_id: int, reason: str, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Set a flag aside with a reason; the same evidence will not raise it again."""
    flag = for_change(uow.iot_flags, flag_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    if flag.state not in OPEN_STATES:
        raise Conflict(N_("Only an open flag can be dismissed."))
    reason = (reason or "").strip()
    if not says_something(reason):
        raise ValidationFailed.single("reason", N_("Say why the flag is dismissed."))
    if len(reason) > REASON_LENGTH:
        raise ValidationFailed.single("reason", N_("At most 1000 characters."))
    before = {"state": flag.state.value}
    flag.state, flag.dismissed_at, flag.dismissed_by_id = FlagState.DISMISSED, now, actor.user_id
    flag.dismissed_reason, flag.updated_at = reason, now
    audit.record(
        uow, actor, AuditAction.UPDATE, "iot_flag", flag.id, before=before,
        after={"state": flag.state.value, "reason": reason}, project_id=flag.project_id,
    )  # fmt: skip
    uow.commit()
    return labelled([flag], uow)[0]


def answer_with_inspection(
    flag_id: int, inspection: Any, actor: Actor, uow: UnitOfWork, now: datetime
) -> None:
    """An inspection of the flagged asset answers its flag (staged in the inspection's transaction)."""
    flag = uow.iot_flags.find(flag_id)
    if flag is None or flag.asset_id != inspection.asset_id:
        raise ValidationFailed.single("flag_id", N_("No open flag of this asset has this id."))
    uow.iot_flags.get(flag_id, actor.require(P.ASSET_READ))
    if flag.state not in OPEN_STATES:
        raise ValidationFailed.single("flag_id", N_("This flag is no longer open."))
    flag.state, flag.inspection_id, flag.answered_at, flag.updated_at = (
        FlagState.ANSWERED,
        inspection.id,
        now,
        now,
    )
    audit.record(
        uow, actor, AuditAction.UPDATE, "iot_flag", flag.id, after={"state": flag.state.value,
        "inspection_id": inspection.id}, project_id=flag.project_id,
    )  # fmt: skip
