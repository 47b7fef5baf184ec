"""In-app notifications: what happened, for whom; the text is rendered in the reader's language."""

from __future__ import annotations

import enum

from backend.core.domain.errors import N_


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
}
