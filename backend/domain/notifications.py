"""In-app notifications: what happened, for whom; the text is rendered in the reader's language."""

from __future__ import annotations

import enum

from backend.domain.errors import N_


class NotificationKind(enum.StrEnum):
    """Each kind has a title template filled from the notification's parameters."""

    SCHEDULE_FAILED = "schedule.failed"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECIDED = "approval.decided"


TITLES: dict[NotificationKind, str] = {
    NotificationKind.SCHEDULE_FAILED: N_(
        "Rent schedule of lease %(lease)s could not be generated: %(reason)s"
    ),
    NotificationKind.APPROVAL_REQUESTED: N_("%(requester)s asks you to approve %(subject)s"),
    NotificationKind.APPROVAL_DECIDED: N_("Your request %(subject)s was %(outcome)s"),
}
