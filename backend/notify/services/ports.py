"""Storage ports of notifications: the in-app inbox, push subscriptions, the push outbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from backend.notify.domain.web_push import PushMessage, PushTarget


class Notifications(Protocol):
    """Each user's in-app inbox."""

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Stage notifications (one per recipient)."""

    def page(self, user_id: int, unread_only: bool, limit: int, offset: int) -> tuple[list[Any], int]:
        """A page of one user's notifications, newest first, and the total."""

    def get_own(self, user_id: int, notification_id: int) -> Any | None:
        """One of the user's notifications."""

    def mark_all_read(self, user_id: int, when: datetime) -> int:
        """Mark every unread notification of a user read; returns how many."""


class PushSubscriptions(Protocol):
    """Each user's push endpoints."""

    def by_endpoint_hash(self, endpoint_hash: str) -> Any | None:
        """The subscription of an endpoint, whoever holds it, locked for the upsert."""

    def add(self, **values: Any) -> Any:
        """Stage a new subscription."""

    def delete(self, subscription: Any) -> None:
        """Stage a subscription's removal."""

    def of_user(self, user_id: int) -> list[Any]:
        """A user's subscriptions, newest first (disabled ones included)."""

    def targets(self, user_ids: Iterable[int]) -> list[PushTarget]:
        """The active subscriptions of these active users, each with its owner's language."""

    def find_many(self, ids: Sequence[int]) -> list[Any]:
        """Subscriptions by id (those still there)."""


class Outbox(Protocol):
    """Pushes staged in a transaction: sent once it commits, dropped if it rolls back."""

    def stage(self, message: PushMessage) -> None:
        """Send this once the transaction commits."""
