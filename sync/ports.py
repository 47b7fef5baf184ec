"""The storage port of sync: what the engine and the feed need beside the tables the services own."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from backend.core.domain.access import Scope


class SyncStorage(Protocol):
    """Each device's applied sequence, rejected commands, the change log and the pull reads."""

    def ensure_state(self, device_id: int) -> None:
        """Create the device's sync state row if it has none."""

    def locked_state(self, device_id: int) -> Any:
        """The device's sync state, locked until the transaction ends."""

    def record_telemetry(
        self, device_id: int, when: datetime, app_version: str | None, pending: int | None
    ) -> None:
        """Note a push on the device with what the phone said about itself."""

    def record_rejection(self, **values: Any) -> Any:
        """Keep a rejected command with its reason."""

    def rejections_of(self, user_id: int, limit: int) -> Sequence[Any]:
        """A user's refused commands from all their devices, newest first."""

    def count_rejections_of(self, user_id: int) -> int:
        """How many commands of a user were refused."""

    def last_seq(self) -> int:
        """The newest committed server sequence (0 when nothing changed yet)."""

    def horizon(self) -> int:
        """The newest sequence pruned from the log (0: none pruned)."""

    def prune_older_than(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` of the oldest change rows written before cutoff, always keeping the newest."""

    def changes_after(self, seq: int, limit: int) -> Sequence[Any]:
        """Change rows after a sequence, oldest first."""

    def project_ids(self, scope: Scope) -> list[int]:
        """The ids of the projects a scope reaches."""

    def snapshot_page(
        self, entity: str, after_id: int, limit: int, projects: Collection[int], user_id: int, device_id: int
    ) -> Sequence[Any]:
        """The next rows of an entity in the device's scope, by id."""

    def wanted_rows(
        self, entity: str, ids: Collection[int], projects: Collection[int], user_id: int, device_id: int
    ) -> dict[int, Any]:
        """Of the given ids, the rows that exist and the device receives, by id."""

    def of_projects(self, project_ids: Collection[int]) -> list[tuple[str, int]]:
        """(entity, id) of every asset, request and work order of the projects."""
