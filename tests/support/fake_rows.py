"""Rows of the in-memory unit of work: each holds its table's columns and gets the table's defaults.

A row class mirrors one mapped class (tests/unit/core/test_fake_unit_of_work.py compares their columns and
defaults) and carries the relationships and derived attributes the services read. Defaults are given at
the flush, as the database gives them; a callable default is called, so lists and dicts are never shared.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from backend.core.domain.approvals import ApprovalStatus
from backend.core.domain.audit import json_safe
from backend.field.domain.requests import LeaseEndStatus, RequestState
from backend.leasing.domain.leases import LeaseStatus, line_key
from backend.leasing.domain.schedule import BusinessDayRule, ChargeType, PeriodAnchor, RoundingMode
from backend.org.domain.org import AssetStatus

if TYPE_CHECKING:
    from tests.support.fake_uow import Store


def now() -> datetime:
    """What the database's timestamp defaults write."""
    return datetime.now(UTC)


TIMESTAMPS: dict[str, Any] = {"created_at": now, "updated_at": now}


class Parent:
    """A many-to-one relationship: the stored row its foreign key names, looked up when read."""

    def __init__(self, table: str, key: str) -> None:
        self.table = table
        self.key = key

    def __get__(self, row: Row | None, owner: type[Row]) -> Any:
        if row is None:
            return self
        assert row._store is not None, f"{type(row).__name__} is not stored"
        return row._store.tables.get(self.table, {}).get(getattr(row, self.key))


class Row:
    """A stored row: its columns as attributes, and lists of the rows it holds (`collections`)."""

    table: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]
    defaults: ClassVar[Mapping[str, Any]] = {}
    secret: ClassVar[frozenset[str]] = frozenset()
    # Each list of rows it holds, with the foreign key the flush sets on them (None: through a link table).
    collections: ClassVar[Mapping[str, str | None]] = {}

    def __init__(self, **values: Any) -> None:
        unknown = values.keys() - {*self.columns, *self.collections}
        if unknown:
            raise TypeError(f"{type(self).__name__} has no column {', '.join(sorted(unknown))}")
        self._store: Store | None = None
        for name in self.columns:
            setattr(self, name, values.get(name))
        for name in self.collections:
            setattr(self, name, list(values.get(name, ())))

    def fill_defaults(self) -> None:
        """Fill the columns left empty with the table's defaults."""
        for name, default in self.defaults.items():
            if getattr(self, name) is None:
                setattr(self, name, default() if callable(default) else default)

    def held(self) -> list[Row]:
        """The rows this row holds in its collections."""
        return [child for name in self.collections for child in getattr(self, name)]

    def saved(self) -> dict[str, Any]:
        """A copy of what is stored: column values, and which rows each collection holds."""
        values = {name: copy.deepcopy(getattr(self, name)) for name in self.columns}
        return values | {name: list(getattr(self, name)) for name in self.collections}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Put back a state taken by `saved()`."""
        for name, value in state.items():
            setattr(self, name, list(value) if name in self.collections else copy.deepcopy(value))

    def audit_snapshot(self) -> dict[str, Any]:
        """Column values as JSON-safe data for the audit log (secret columns left out)."""
        return {name: json_safe(getattr(self, name)) for name in self.columns if name not in self.secret}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'id', None)}>"


def names(text: str) -> tuple[str, ...]:
    """Column names, space-separated, in the mapped class's order."""
    return tuple(text.split())


# Organisation ---------------------------------------------------------------------------------


class Region(Row):
    """A group of projects."""

    table = "regions"
    columns = names("id code name created_at updated_at")
    defaults = TIMESTAMPS


class Project(Row):
    """A site, with its field policy."""

    table = "projects"
    columns = names(
        "id region_id code name city category timezone holiday_calendar address latitude longitude geofence "
        "geofence_radius_m remote_confirmation_allowed remote_report_allowed gps_max_accuracy_m "
        "gps_tolerance_m lease_end_status status_request_ttl_hours created_at updated_at"
    )
    defaults = TIMESTAMPS | {
        "remote_confirmation_allowed": False,
        "remote_report_allowed": False,
        "gps_max_accuracy_m": Decimal(50),
        "gps_tolerance_m": Decimal(10),
        "lease_end_status": LeaseEndStatus.RENOVATION,
        "status_request_ttl_hours": 72,
    }


class Asset(Row):
    """A space unit or an equipment item, with its project."""

    table = "assets"
    columns = names(
        "id project_id code name kind asset_type floor area_m2 serial_number model latitude longitude "
        "geofence geofence_radius_m status status_version created_at updated_at"
    )
    defaults = TIMESTAMPS | {"status": AssetStatus.VACANT, "status_version": 1}
    project = Parent("projects", "project_id")


# Shared: users, audit, approvals, jobs, events, notifications ------------------------------------


class User(Row):
    """A person who signs in, with their role assignments."""

    table = "users"
    columns = names(
        "id username display_name email password_hash locale is_active deactivated_at session_epoch "
        "manager_id last_login_at created_at updated_at"
    )
    defaults = TIMESTAMPS | {"locale": "zh_CN", "is_active": True, "session_epoch": 0}
    secret = frozenset({"password_hash"})
    collections = {"role_assignments": "user_id"}


class RoleAssignment(Row):
    """A role held globally, for a region or for a project."""

    table = "role_assignments"
    columns = names("id user_id role region_id project_id")


class AuditEntry(Row):
    """One entry of the audit log."""

    table = "audit_log"
    columns = names(
        "id occurred_at actor_user_id actor_name origin ip device_id request_id action entity_type entity_id "
        "region_id project_id before after"
    )
    defaults = {"occurred_at": now}


class Approval(Row):
    """A four-eyes decision someone asked for."""

    table = "approvals"
    columns = names(
        "id kind subject_type subject_id summary project_id status requested_by_id requested_at reason "
        "details expires_at decided_by_id decided_at decision_note"
    )
    defaults = {"status": ApprovalStatus.PENDING, "requested_at": now}


class JobRun(Row):
    """One recorded job run."""

    table = "job_runs"
    columns = names(
        "id kind status subject_type subject_id project_id reason details requested_by_id retry_of_id "
        "started_at finished_at job slot_id slot_at attempt worker"
    )
    defaults = {"details": dict, "started_at": now}


class DomainEventRecord(Row):
    """A domain event as recorded."""

    table = "domain_events"
    columns = names("id name payload project_id occurred_at")
    defaults = {"occurred_at": now}


class Notification(Row):
    """An in-app message for one user."""

    table = "notifications"
    columns = names("id user_id kind params project_id subject_type subject_id created_at read_at")
    defaults = {"params": dict, "created_at": now}


class Delivery(Row):
    """One notification on one channel to one recipient."""

    table = "deliveries"
    columns = names(
        "id notification_id channel user_id endpoint_id subscription_id target kind params locale project_id "
        "region_id subject_type subject_id state attempts next_attempt_at claimed_by claim_token lease_until "
        "last_error provider_message_id resend_of_id created_at sent_at"
    )
    defaults = {"params": dict, "created_at": now, "attempts": 0}


class PushSubscription(Row):
    """One push endpoint of a user."""

    table = "push_subscriptions"
    columns = names(
        "id user_id device_id endpoint endpoint_hash p256dh auth user_agent created_at last_success_at "
        "last_failure_at failure_count disabled_at"
    )
    defaults = {"created_at": now, "failure_count": 0}
    secret = frozenset({"auth"})


# Field work ------------------------------------------------------------------------------------


class StatusChangeRequest(Row):
    """A field status change waiting for a second person, with its asset."""

    table = "status_change_requests"
    columns = names(
        "id asset_id project_id from_status to_status reason note applicant_id device_id base_version "
        "captured_at submitted_at latitude longitude accuracy_m fence_passed fence_distance_m fence_reason "
        "plausibility_flags photo_hashes state conflict approval_id confirmer_id scan_verified "
        "confirm_latitude confirm_longitude confirm_accuracy_m confirm_fence_passed confirm_fence_distance_m "
        "confirm_plausibility_flags remote remote_reason report_remote_reason decided_at decision_note "
        "expires_at"
    )
    defaults = {
        "submitted_at": now,
        "plausibility_flags": list,
        "photo_hashes": list,
        "state": RequestState.PENDING,
        "conflict": False,
        "confirm_plausibility_flags": list,
        "remote": False,
    }
    asset = Parent("assets", "asset_id")


class GpsFix(Row):
    """One GPS fix the server received."""

    table = "gps_fixes"
    columns = names("id device_id user_id latitude longitude accuracy_m captured_at received_at request_id")
    defaults = {"received_at": now}


class Checklist(Row):
    """One version of a checklist, with its items."""

    table = "checklists"
    columns = names("id code version name name_en asset_type active created_at updated_at")
    defaults = TIMESTAMPS | {"version": 1, "active": True}
    collections = {"items": "checklist_id"}


class ChecklistItem(Row):
    """One item of a checklist version."""

    table = "checklist_items"
    columns = names(
        "id checklist_id position key label_zh label_en kind required number_min number_max number_unit"
    )
    defaults = {"required": True}
    checklist = Parent("checklists", "checklist_id")


class Inspection(Row):
    """An inspection of an asset, with its answers."""

    table = "inspections"
    columns = names(
        "id asset_id project_id checklist_id checklist_version inspector_id device_id captured_at "
        "submitted_at latitude longitude accuracy_m fence_passed fence_distance_m fence_reason "
        "plausibility_flags remote_reason result note"
    )
    defaults = {"submitted_at": now, "plausibility_flags": list}
    collections = {"answers": "inspection_id"}
    asset = Parent("assets", "asset_id")
    checklist = Parent("checklists", "checklist_id")

    @property
    def photo_hashes(self) -> list[str]:
        """Every photo the answers cite, first mention first."""
        return list(dict.fromkeys(h for answer in self.answers for h in answer.photo_hashes))


class InspectionAnswer(Row):
    """The answer to one checklist item."""

    table = "inspection_answers"
    columns = names("id inspection_id item_key kind passed number_value text_value photo_hashes")
    defaults = {"photo_hashes": list}
    inspection = Parent("inspections", "inspection_id")


class Photo(Row):
    """A stored photo of an asset."""

    table = "photos"
    columns = names(
        "id sha256 asset_id storage_key thumbnail_key content_type source_content_type width height "
        "size_bytes uploaded_by_id created_at"
    )
    defaults = {"created_at": now}
    asset = Parent("assets", "asset_id")


# Leasing ---------------------------------------------------------------------------------------


class Lease(Row):
    """A lease with its project, assets, charge lines and concessions."""

    table = "leases"
    columns = names(
        "id number project_id customer_id template_id status starts_on ends_on frequency timing due_day "
        "due_offset_days business_day_rule anchor prorate rounding deposit_amount notice_period_days "
        "auto_renew renewal_term_months account_manager_id purpose tags note version signed_at signed_by_id "
        "closed_on close_reason renewed_from_id late_fee_rate late_fee_basis late_fee_grace_days "
        "late_fee_cap_rate late_fee_article created_at updated_at"
    )
    defaults = TIMESTAMPS | {
        "status": LeaseStatus.DRAFT,
        "late_fee_basis": "per_day",
        "late_fee_grace_days": 0,
        "due_offset_days": 0,
        "business_day_rule": BusinessDayRule.NONE,
        "anchor": PeriodAnchor.LEASE_START,
        "prorate": True,
        "rounding": RoundingMode.HALF_UP,
        "auto_renew": False,
        "tags": list,
        "version": 1,
    }
    collections = {"assets": None, "charge_lines": "lease_id", "concessions": "lease_id"}
    project = Parent("projects", "project_id")

    @property
    def asset_ids(self) -> list[int]:
        """Ids of the let assets."""
        return [asset.id for asset in self.assets]

    @property
    def current_lines(self) -> list[ChargeLine]:
        """Charge line versions in force (not replaced by an amendment)."""
        return [line for line in self.charge_lines if line.replaced_by_amendment_id is None]

    @property
    def current_concessions(self) -> list[Concession]:
        """Concessions in force (not replaced by an amendment)."""
        return [c for c in self.concessions if c.replaced_by_amendment_id is None]


class ChargeLine(Row):
    """One dated version of one charge of a lease."""

    table = "charge_lines"
    columns = names(
        "id lease_id series version charge_type monthly_amount starts_on ends_on frequency escalation_kind "
        "escalation_every_months escalation_value escalation_floor_percent escalation_cap_percent "
        "escalation_index escalation_anchor created_by_amendment_id replaced_by_amendment_id created_at"
    )
    defaults = {"series": 1, "version": 1, "created_at": now}
    lease = Parent("leases", "lease_id")

    @property
    def key(self) -> str:
        """The stable name of this line in schedules: series and version."""
        return line_key(self.series, self.version)


class Concession(Row):
    """A dated rent concession of a lease."""

    table = "concessions"
    columns = names(
        "id lease_id charge_type starts_on ends_on percent extends_term note created_by_amendment_id "
        "replaced_by_amendment_id"
    )
    defaults = {"charge_type": ChargeType.RENT, "percent": Decimal(100), "extends_term": False}
    lease = Parent("leases", "lease_id")


class ScheduleItem(Row):
    """One receivable of a lease's schedule."""

    table = "schedule_items"
    columns = names(
        "id lease_id project_id lease_version line_key charge_type period_start period_end due_date months "
        "amount is_concession provisional status created_at"
    )
    defaults = {"is_concession": False, "provisional": False, "status": "scheduled", "created_at": now}


class LeaseAmendment(Row):
    """A versioned change to a signed lease, with its lease."""

    table = "lease_amendments"
    columns = names(
        "id lease_id version kinds status effective_on reason changes effect requested_by_id approval_id "
        "applied_at created_at"
    )
    defaults = {"created_at": now}
    lease = Parent("leases", "lease_id")


class CodeAlias(Row):
    """An editable alias of a canonical code."""

    table = "code_aliases"
    columns = names("id domain alias canonical created_at updated_at")
    defaults = TIMESTAMPS


class PriceIndexValue(Row):
    """One month of a price index series."""

    table = "price_index_values"
    columns = names("id series month value created_at")
    defaults = {"created_at": now}


ROWS: tuple[type[Row], ...] = (
    Region,
    Project,
    Asset,
    User,
    RoleAssignment,
    AuditEntry,
    Approval,
    JobRun,
    DomainEventRecord,
    Notification,
    PushSubscription,
    StatusChangeRequest,
    GpsFix,
    Checklist,
    ChecklistItem,
    Inspection,
    InspectionAnswer,
    Photo,
    Lease,
    ChargeLine,
    Concession,
    ScheduleItem,
    LeaseAmendment,
    CodeAlias,
    PriceIndexValue,
)
