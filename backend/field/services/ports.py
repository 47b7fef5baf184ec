"""Storage ports of field work: status requests, GPS fixes, work orders, checklists, inspections, photos."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup
from backend.field.domain.requests import WorkOrderKind
from backend.org.domain.org import AssetType


class StatusRequests(Protocol):
    """Status change requests, each with its asset (`request.asset`), scoped by project."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One request by id; out of scope is NotFound, like missing."""

    def find(self, entity_id: int) -> Any | None:
        """One request by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of requests within the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new request."""

    def open_for(self, asset_id: int) -> Any | None:
        """The asset's pending request, if any."""

    def open_for_assets(self, asset_ids: Sequence[int]) -> dict[int, Any]:
        """The pending request of each of the assets that has one, by asset id."""

    def overdue(self, now: datetime, scope: Scope) -> Sequence[Any]:
        """Pending requests within the scope whose time ran out."""

    def lock(self, request: Any) -> None:
        """Serialise decisions on one request until the commit; re-read it and its asset."""

    def reload_people(self, request: Any) -> None:
        """Read again who filed and who decided a request whose people changed in this unit of work."""


class GpsFixes(Protocol):
    """The history of GPS fixes per device (or per user)."""

    def create(self, **values: Any) -> Any:
        """Stage a received fix."""

    def earlier(
        self, device_id: int | None, user_id: int | None, before: datetime, limit: int = 20
    ) -> list[Any]:
        """The same device's (else user's) latest fixes captured before a moment, oldest first."""


class WorkOrders(Lookup, Protocol):
    """Work orders, each with its asset (`order.asset`), scoped by project."""

    def find(self, entity_id: int) -> Any | None:
        """One work order by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of work orders within the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new work order."""

    def open_of(
        self, asset_id: int, kind: WorkOrderKind, lease_id: int | None = None, exclude_id: int | None = None
    ) -> list[Any]:
        """An asset's work orders of one kind that are not closed (optionally of one lease)."""

    def opened_for_lease(
        self,
        lease_id: int,
        asset_ids: Collection[int],
        kinds: Collection[WorkOrderKind],
        since: datetime,
        until: datetime,
    ) -> list[datetime]:
        """When each work order of these kinds on a lease or its units was opened in [since, until)."""


class Checklists(Protocol):
    """Checklist versions with their items, shared by every project."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One checklist version by id; out of scope is NotFound, like missing."""

    def find(self, entity_id: int) -> Any | None:
        """One checklist version by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of checklist versions within the scope, and the total."""

    def create_with_items(self, values: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> Any:
        """Stage a checklist version with its items."""

    def replace_items(self, checklist: Any, items: Sequence[Mapping[str, Any]]) -> None:
        """Replace an unused version's items."""

    def active_for(self, asset_type: AssetType, exclude_code: str | None = None) -> Any | None:
        """The active checklist of an asset type (ignoring one code, when given)."""

    def latest_version(self, code: str) -> int:
        """The highest version of a checklist code (0 when the code is new)."""

    def existing_codes(self, codes: Collection[str]) -> set[str]:
        """Which of the codes are already taken by some version."""

    def is_used(self, checklist_id: int) -> bool:
        """Whether any inspection was filed against this version."""

    def deactivate_code(self, code: str) -> None:
        """Retire every version of a checklist code."""

    def lock_asset_type(self, asset_type: AssetType) -> None:
        """Serialise activations within one asset type."""


class Inspections(Protocol):
    """Inspections with their answers, scoped by project."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One inspection by id; out of scope is NotFound, like missing."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of inspections within the scope, and the total."""

    def create_with_answers(self, values: Mapping[str, Any], answers: Sequence[Mapping[str, Any]]) -> Any:
        """Stage an inspection with its answers."""

    def earlier_fixes_of_device(self, device_id: int, before: datetime, limit: int = 20) -> list[Any]:
        """The device's last inspections with a fix captured before a moment, oldest first."""

    def latest_of_assets(self, asset_ids: Collection[int]) -> dict[int, Any]:
        """Each asset's most recently submitted inspection, by asset id."""

    def recent_of_asset(self, asset_id: int, limit: int) -> Sequence[Any]:
        """An asset's latest inspections, newest first."""


class Photos(Protocol):
    """Photos keyed by the SHA-256 of their bytes."""

    def by_sha256(self, sha256: str, scope: Scope) -> Any:
        """The photo with this content hash; out of scope is NotFound, like missing."""

    def find_by_sha256(self, sha256: str) -> Any | None:
        """The photo with this content hash, unscoped."""

    def stored_on(self, hashes: Collection[str]) -> set[tuple[str, int]]:
        """(hash, asset id) of the photos stored under these hashes."""

    def received_on(self, hashes: Collection[str]) -> dict[tuple[str, int], datetime]:
        """When each photo stored under these hashes arrived, by (hash, asset id)."""

    def any_of_asset(self, asset_id: int) -> bool:
        """Whether the asset has any photo."""

    def create(self, **values: Any) -> Any:
        """Stage a new photo."""
