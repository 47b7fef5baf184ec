"""In-app notifications: what happened, for whom; the text is rendered in the reader's language."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

from backend.core.domain.errors import N_, DomainError


class NotificationKind(enum.StrEnum):
    """Each kind has a title template filled from the notification's parameters."""

    SCHEDULE_FAILED = "schedule.failed"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECIDED = "approval.decided"
    STATUS_REQUEST_WAITING = "status_request.waiting"
    STATUS_REQUEST_DECIDED = "status_request.decided"
    AUTOMATION_SKIPPED = "automation.skipped"
    PUSH_TEST = "push.test"
    JOB_FAILED = "job.failed"
    JOB_GAVE_UP = "job.gave_up"
    DELIVERY_GAVE_UP = "delivery.gave_up"
    CHANNEL_TEST = "channel.test"
    INDEX_AWAITED = "index.awaited"
    PORTFOLIO_REPORT_READY = "portfolio.report_ready"
    REMINDER_DUE = "reminder.due"
    TASK_REASSIGNED = "task.reassigned"
    RENEWAL_DRAFTED = "renewal.drafted"
    IOT_FLAG_RAISED = "iot.flag_raised"
    AUDIT_FINDINGS = "audit.findings"
    DUNNING_NOTICE = "collections.notice"  # to a customer: its text is the project's template, filled in
    COLLECTION_TASK = "collections.task"
    COLLECTION_CASE = "collections.case_opened"
    PROMISE_BROKEN = "collections.promise_broken"
    # Never sent to anyone: a webhook set up for it is where lock and unlock commands go (device platform).
    DEVICE_CONTROL = "collections.device_lock"
    DEVICE_COMMAND_DONE = "collections.device_cmd_done"
    DEVICE_COMMAND_FAILED = "collections.device_cmd_failed"


TITLES: dict[NotificationKind, str] = {
    NotificationKind.SCHEDULE_FAILED: N_(
        "Rent schedule of lease %(lease)s could not be generated: %(reason)s"
    ),
    NotificationKind.APPROVAL_REQUESTED: N_("%(requester)s asks you to approve %(subject)s"),
    NotificationKind.APPROVAL_DECIDED: N_("Your request %(subject)s was %(outcome)s"),
    NotificationKind.STATUS_REQUEST_WAITING: N_(
        "%(applicant)s asks you to confirm %(asset)s: %(from_status)s to %(to_status)s"
    ),
    NotificationKind.STATUS_REQUEST_DECIDED: N_("Your status change request for %(asset)s was %(outcome)s"),
    NotificationKind.AUTOMATION_SKIPPED: N_(
        "Asset %(asset)s was not moved to %(target)s automatically: it is %(current)s"
    ),
    NotificationKind.PUSH_TEST: N_("LeaseKeeper test notification"),
    NotificationKind.JOB_FAILED: N_("Scheduled job %(job)s failed (attempt %(attempt)s): %(reason)s"),
    NotificationKind.JOB_GAVE_UP: N_(
        "Scheduled job %(job)s gave up after %(attempt)s attempts: %(reason)s. Retry it once fixed."
    ),
    NotificationKind.DELIVERY_GAVE_UP: N_(
        "A %(kind)s notification could not be delivered by %(channel)s to %(recipient)s: %(error)s"
    ),
    NotificationKind.CHANNEL_TEST: N_("LeaseKeeper test message: this channel works"),
    NotificationKind.INDEX_AWAITED: N_(
        "Lease %(lease)s is billed only to %(covered_until)s: its step on %(step)s waits for the %(series)s "
        "value of %(month)s, due %(days)s days ago. Enter the value under price indexes."
    ),
    NotificationKind.PORTFOLIO_REPORT_READY: N_("The portfolio report for %(period)s is ready"),
    NotificationKind.REMINDER_DUE: N_(
        "%(kind)s of lease %(lease)s (%(customer)s) is on %(date)s, in %(days)s days: reminder %(tier)s of "
        "%(tiers)s%(late)s%(escalated)s"
    ),
    NotificationKind.TASK_REASSIGNED: N_(
        "The task on lease %(lease)s (%(kind)s on %(date)s) is now yours, from %(previous)s: %(reason)s"
    ),
    NotificationKind.RENEWAL_DRAFTED: N_(
        "Lease %(lease)s renews automatically: renewal %(renewal)s was drafted on its notice date %(date)s. "
        "Check and sign it, or record the tenant's termination notice."
    ),
    NotificationKind.IOT_FLAG_RAISED: N_("%(kind)s at %(asset)s (confidence %(confidence)s)"),
    NotificationKind.AUDIT_FINDINGS: N_(
        "The consistency audit of %(period)s gave you %(count)s disagreements to look into"
    ),
    NotificationKind.DUNNING_NOTICE: "%(subject)s",
    NotificationKind.COLLECTION_TASK: N_(
        "Write personally to key account %(customer)s: %(total)s overdue, the oldest bill %(days)s days "
        "(%(tier)s)"
    ),
    NotificationKind.COLLECTION_CASE: N_(
        "%(customer)s is handed over to legal: %(total)s overdue, the oldest bill %(days)s days"
    ),
    NotificationKind.PROMISE_BROKEN: N_(
        "%(customer)s broke the promise to pay %(amount)s by %(date)s: dunning resumes"
    ),
    NotificationKind.DEVICE_CONTROL: N_("Device platform: %(command)s %(asset)s"),
    NotificationKind.DEVICE_COMMAND_DONE: N_(
        "The device platform confirmed the %(command)s of %(asset)s (lease %(lease)s, %(customer)s)"
    ),
    NotificationKind.DEVICE_COMMAND_FAILED: N_(
        "The %(command)s of %(asset)s (lease %(lease)s, %(customer)s) failed: %(error)s"
    ),
}

Translate = Callable[[str], str]


def message_param(error: BaseException) -> dict[str, Any]:
    """A failure as a notification parameter: its message, values and field messages, not one language's text.

    `rendered_params` turns it into text in each reader's language. An unexpected error (not a domain error)
    has no translation and is kept as its type and text.
    """
    if not isinstance(error, DomainError):
        return {"text": f"{type(error).__name__}: {error}"}
    return {
        "message": error.message,
        "params": _plain(error.params),
        "fields": {
            name: [
                {"message": getattr(m, "template", str(m)), "params": _plain(getattr(m, "params", {}))}
                for m in messages
            ]
            for name, messages in error.fields.items()
        },
    }


def _plain(params: Mapping[str, Any]) -> dict[str, str | int]:
    return {key: value if isinstance(value, str | int) else str(value) for key, value in params.items()}


def rendered_params(params: Mapping[str, Any], translate: Translate) -> dict[str, str | int]:
    """A notification's parameters ready for its title: plain values as they are, messages (from
    `message_param`) translated with `translate` and filled in."""
    found: dict[str, str | int] = {}
    for key, value in params.items():
        if isinstance(value, str | int):
            found[key] = value
        elif isinstance(value, Mapping) and ("message" in value or "text" in value):
            found[key] = render_message(value, translate)
    return found


def render_message(value: Mapping[str, Any], translate: Translate) -> str:
    """A message from `message_param` as text in the language of `translate`."""
    if "message" not in value:
        return str(value.get("text", ""))
    text = _filled(translate(str(value["message"])), value.get("params") or {})
    details = [
        f"{name}: {' '.join(_filled(translate(str(m['message'])), m.get('params') or {}) for m in messages)}"
        for name, messages in (value.get("fields") or {}).items()
    ]
    return f"{text} {'; '.join(details)}" if details else text


def _filled(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template % dict(params) if params else template
    except (KeyError, ValueError, TypeError):
        return template
