"""Job runs: every generation, check and import is recorded with its outcome, so nothing fails silently."""

from __future__ import annotations

import enum


class JobKind(enum.StrEnum):
    """The kinds of recorded work."""

    SCHEDULE_GENERATE = "schedule.generate"
    SCHEDULE_DRY_RUN = "schedule.dry_run"
    LEASE_IMPORT = "lease.import"
    LEASE_LIFECYCLE = "lease.lifecycle"
    STATUS_REQUEST_EXPIRY = "status_request.expiry"
    ASSET_AUTOMATION = "asset.automation"
    SYNC_PRUNE = "sync.prune"
    BILLING_RUN = "billing.run"
    RECONCILIATION = "bank.reconcile"
    INDEX_EXTENSION = "schedule.index_extension"
    CALENDAR_RECOMPUTE = "schedule.calendar_recompute"
    PORTFOLIO_SNAPSHOT = "portfolio.snapshot"
    PORTFOLIO_REPORT = "portfolio.report"
    PORTFOLIO_REFRESH = "portfolio.refresh"
    REMINDER_RUN = "reminders.run"
    IOT_FLAGS = "iot.flags"
    IOT_FLAGS_RECENT = "iot.flags_recent"
    IOT_AUDIT = "iot.audit"
    DUNNING_RUN = "collections.dunning"
    DEVICE_COMMANDS = "collections.device_commands"


class JobStatus(enum.StrEnum):
    """How a run ended; `failed` runs can be retried."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRIED = "retried"


class ScheduleTrigger(enum.StrEnum):
    """Why a schedule was being generated, which is also what a retry does again."""

    SIGN = "sign"
    AMENDMENT = "amendment"
    REGENERATE = "regenerate"
