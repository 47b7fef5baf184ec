"""Storage ports of notifications: the in-app inbox, push subscriptions, the push outbox."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.notify.domain.web_push import PushTarget


class Notifications(Protocol):
    """Each user's in-app inbox."""

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

    def record_outcomes(
        self, reached: Sequence[int], failed: Sequence[int], gone: Sequence[int], when: datetime
    ) -> None:
        """Stamp subscriptions after pushes: success, a failure counted, dropped (disabled)."""

    def find_many(self, ids: Sequence[int]) -> list[Any]:
        """Subscriptions by id (those still there)."""


class Deliveries(Protocol):
    """The delivery outbox."""

    def recipients(self, user_ids: Sequence[int]) -> dict[int, Any]:
        """The active users among the ids with language, e-mail, preferences and push subscriptions."""

    def shared_endpoints(self, project_id: int | None) -> tuple[int | None, list[Any]]:
        """The project's region and the enabled robots and webhooks reaching it."""

    def stage(
        self, notification_rows: Sequence[Mapping[str, Any]], shared: Sequence[Mapping[str, Any]]
    ) -> None:
        """Collect notifications with their deliveries, and shared deliveries, for the commit."""

    def add(self, **values: Any) -> Any:
        """Stage one delivery now."""

    def claim_due(
        self,
        worker: str,
        token: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        only: Sequence[int] | None = None,
    ) -> list[Any]:
        """Claim up to `limit` due deliveries."""

    def addresses(self, deliveries: Sequence[Any]) -> dict[str, dict[int, Any]]:
        """The users, shared endpoints and push subscriptions the deliveries go to."""

    def record(self, outcomes: Sequence[Mapping[str, Any]]) -> int:
        """Write attempts' outcomes where the claim still holds."""

    def about(self, subject_type: str, subject_ids: Sequence[int]) -> list[Any]:
        """The deliveries about some subjects, oldest first."""

    def find(self, delivery_id: int) -> Any | None:
        """One delivery by id."""

    def page(
        self, scope: Any, filters: Mapping[str, Any], user_id: int | None, limit: int, offset: int
    ) -> tuple[list[Any], int]:
        """A page of deliveries, newest first."""

    def visible(self, delivery_id: int, scope: Any, user_id: int | None) -> Any | None:
        """One delivery the scope reaches, or one's own."""

    def counts(self) -> dict[Any, int]:
        """Deliveries per state."""

    def of_notification(self, notification_ids: Sequence[int]) -> list[Any]:
        """The deliveries of these notifications."""


class ChannelEndpoints(Protocol):
    """Shared channels (group robots, webhooks) of regions and projects."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One endpoint within the scope."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of endpoints within the scope."""

    def create(self, **values: Any) -> Any:
        """Stage a new endpoint."""

    def delete(self, entity: Any) -> None:
        """Stage an endpoint's removal."""


class NotificationPreferences(Protocol):
    """Each user's notification preferences."""

    def of_user(self, user_id: int) -> Any | None:
        """The stored preferences, None while the defaults apply."""

    def save(self, user_id: int, **values: Any) -> Any:
        """Stage the user's preferences."""
