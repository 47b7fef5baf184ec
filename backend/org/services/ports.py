"""Storage ports of the organisation: regions, projects, assets, customers, the asset board."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup
from backend.org.domain.org import AssetStatus


class Regions(Lookup, Protocol):
    """Regions."""

    def find(self, entity_id: int) -> Any | None:
        """One region by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of regions within the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new region."""

    def delete(self, entity: Any) -> None:
        """Stage a deletion."""

    def has_dependents(self, region_id: int) -> bool:
        """Whether projects, customers or role assignments still point at the region."""

    def any_rows(self) -> bool:
        """Whether any region exists."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many regions at once (seeding)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the regions whose unique `field` holds one of the values."""


class Projects(Lookup, Protocol):
    """Projects (sites)."""

    def find(self, entity_id: int) -> Any | None:
        """One project by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of projects within the scope, and the total."""

    def by_code(self, code: str, scope: Scope) -> Any:
        """One project by its code; out of scope is NotFound, like missing."""

    def by_values(self, field: str, values: Collection[Any], scope: Scope) -> dict[Any, Any]:
        """Projects inside the scope whose unique `field` holds one of the values, keyed by that value."""

    def create(self, **values: Any) -> Any:
        """Stage a new project."""

    def delete(self, entity: Any) -> None:
        """Stage a deletion."""

    def time_zones(self) -> dict[int, str]:
        """Every project's time zone, by project id."""

    def holiday_calendars(self) -> list[str]:
        """The holiday-calendar codes projects use."""

    def has_dependents(self, project_id: int) -> bool:
        """Whether role assignments still point at the project."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many projects at once (seeding)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the projects whose unique `field` holds one of the values."""


class Assets(Lookup, Protocol):
    """Assets, each with its project (`asset.project`)."""

    def find(self, entity_id: int) -> Any | None:
        """One asset by id, unscoped."""

    def preload(self, asset_ids: Collection[int]) -> None:
        """Load these assets at once, for a batch about to use them one by one."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of assets within the scope, and the total."""

    def in_project(self, project_id: int, statuses: Collection[Any], scope: Scope) -> Sequence[Any]:
        """A project's assets within the scope, by code; only the given statuses when any are given."""

    def by_codes(self, codes: Collection[str], scope: Scope) -> dict[str, Any]:
        """The assets within the scope holding one of the codes, keyed by code."""

    def by_values(self, field: str, values: Collection[Any], scope: Scope) -> dict[Any, Any]:
        """Assets inside the scope whose unique `field` holds one of the values, keyed by that value."""

    def count_in_project(self, project_id: int) -> int:
        """How many assets a project holds."""

    def create(self, **values: Any) -> Any:
        """Stage a new asset."""

    def delete(self, entity: Any) -> None:
        """Stage a deletion."""

    def set_status(self, asset: Any, status: AssetStatus, from_version: int) -> bool:
        """Move the asset to a status only if its status version is still `from_version` (compare-and-set)."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many assets at once (seeding)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the assets whose unique `field` holds one of the values."""


class Customers(Lookup, Protocol):
    """Customers with their contacts, bank accounts and payer names."""

    def names_of(self, customer_ids: Collection[int]) -> dict[int, str]:
        """Customers' names by id."""

    def payer_directory(self) -> dict[str, list[tuple[Any, Any]]]:
        """Registered payer accounts, legal names and explicit payer names."""

    def add_bank_account(self, customer: Any, **values: Any) -> None:
        """Register an account the customer pays from."""

    def add_payer_name(self, customer: Any, name: str) -> None:
        """Register a name the customer's payments arrive under."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of customers within the scope, and the total."""

    def by_values(self, field: str, values: Collection[Any], scope: Scope) -> dict[Any, Any]:
        """Customers inside the scope whose unique `field` holds one of the values, keyed by that value."""

    def create(self, **values: Any) -> Any:
        """Stage a new customer."""

    def delete(self, entity: Any) -> None:
        """Stage a deletion."""

    def replace_children(self, customer: Any, children: dict[str, list[dict[str, Any]]]) -> None:
        """Replace whole child lists (contacts, bank accounts, payer names) that are given."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many customers at once (seeding)."""

    def bulk_create_children(
        self,
        contacts: Sequence[Mapping[str, Any]],
        bank_accounts: Sequence[Mapping[str, Any]],
        payer_names: Sequence[Mapping[str, Any]],
    ) -> None:
        """Insert child rows of many customers at once (seeding)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the customers whose unique `field` holds one of the values."""


class Board(Protocol):
    """Summaries for the asset board."""

    def status_counts(self, project_id: int, scope: Scope) -> dict[str, int]:
        """How many of a project's assets within the scope hold each status."""

    def current_leases(self, asset_ids: Collection[int]) -> dict[int, Any]:
        """The binding lease of each asset that has one, by asset id."""

    def asset_history(self, asset_id: int, page: int, page_size: int) -> tuple[Sequence[Any], int]:
        """A page of the asset's own audit entries, newest first, and their total."""
