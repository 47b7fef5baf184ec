"""Users, their roles, phones and sign-in attempts; the audit log; approvals, job runs, domain events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.core.db.base import Base, BigId, Timestamped, enum_column, utcnow
from backend.core.domain.access import Assignment, Role
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.scheduling import SlotState


class AuditEntry(Base):
    """Who changed what, when, from where, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_region_id_project_id", "region_id", "project_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(150))
    origin: Mapped[Origin] = mapped_column(enum_column(Origin))
    ip: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[int | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int | None]
    project_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class User(Timestamped, Base):
    """A person who signs in; never deleted, only deactivated, so history keeps its names."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255), info={"secret": True})
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    is_active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    # Bumped to end every web session of the user at once (deactivation, password change).
    session_epoch: Mapped[int] = mapped_column(default=0)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None]

    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RoleAssignment.id"
    )

    def assignments(self) -> list[Assignment]:
        """The user's roles as domain assignments."""
        return [Assignment(a.role, a.region_id, a.project_id) for a in self.role_assignments]


class RoleAssignment(Base):
    """A role a user holds globally, for a region or for a project."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "region_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)


class Device(Base):
    """A phone bound to one user by a bearer token; revoking it refuses the token at once."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(50))
    app_version: Mapped[str | None] = mapped_column(String(50))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pending_count: Mapped[int | None]
    last_sync_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class LoginAttempt(Base):
    """One password check, kept for rate limiting across all API processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Approval(Base):
    """A four-eyes decision on a change someone asked for (lease amendments, later status changes)."""

    __tablename__ = "approvals"
    __table_args__ = (Index("ix_approvals_project_id_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ApprovalKind] = mapped_column(enum_column(ApprovalKind))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    summary: Mapped[str] = mapped_column(String(300))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    status: Mapped[ApprovalStatus] = mapped_column(
        enum_column(ApprovalStatus), default=ApprovalStatus.PENDING
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    # What the deciders weigh, as the use case worked it out (e.g. an amendment's effect per period).
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    expires_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)


class JobRun(Base):
    """One recorded piece of background-style work and its outcome; failed runs can be retried."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_column(JobKind))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    retry_of_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Runs of a scheduled job: which job and slot, which attempt, on which worker.
    job: Mapped[str | None] = mapped_column(String(64))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("job_slots.id", ondelete="SET NULL"), index=True)
    slot_at: Mapped[datetime | None]
    attempt: Mapped[int | None]
    worker: Mapped[str | None] = mapped_column(String(120))


class JobSlot(Base):
    """One instant a scheduled job is due, in one scope; claimed by exactly one worker at a time.

    A claim holds until `lease_until`; the worker renews it while the job runs. A claim that lapsed (its
    worker died) may be taken over. `claim_token` changes with every claim, so a worker that lost its claim
    can neither renew nor finish the slot.
    """

    __tablename__ = "job_slots"
    __table_args__ = (
        UniqueConstraint("job", "scope_key", "slot_at"),
        Index("ix_job_slots_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    scope_key: Mapped[str] = mapped_column(String(32))
    slot_at: Mapped[datetime]
    state: Mapped[SlotState] = mapped_column(enum_column(SlotState))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]
    run_id: Mapped[int | None]  # the latest run (job_runs.slot_id points back)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class DomainEventRecord(Base):
    """A domain event as it happened, written in the transaction that caused it."""

    __tablename__ = "domain_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
