"""Storage ports of banking: accounts, stored profiles, statements, lines, decisions."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from backend.banking.domain.lines import LineState
from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup


class BankAccounts(Lookup, Protocol):
    """Our bank accounts, scoped by region or project."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of accounts, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage an account."""

    def using_profile(self, code: str) -> bool:
        """Whether an account names the profile as its default."""


class BankProfiles(Protocol):
    """Statement profiles entered through the API."""

    def all(self) -> list[Any]:
        """Every stored profile."""

    def by_code(self, code: str) -> Any | None:
        """One stored profile."""

    def create(self, **values: Any) -> Any:
        """Stage a profile."""

    def delete(self, record: Any) -> None:
        """Stage a deletion."""


class BankStatements(Lookup, Protocol):
    """Imported statements."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of statements, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a statement."""

    def by_digest(self, account_id: int, digest: str) -> Any | None:
        """The statement imported from the very same file."""

    def latest_of(self, account_id: int) -> Any | None:
        """The account's latest statement."""

    def previous_of(self, account_id: int, starts: date | None) -> Any | None:
        """The statement a new one continues."""


class BankLines(Lookup, Protocol):
    """Statement lines."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of lines, and the total."""

    def existing_keys(self, account_id: int, keys: Collection[str]) -> dict[str, int]:
        """Which duplicate keys earlier statements hold."""

    def open_receipts(self, scope: Scope, account_id: int | None = None) -> list[Any]:
        """Money in still on the difference list that no person decided on."""

    def serving(self, project_id: int, region_id: int) -> list[Any]:
        """Active accounts a project's tenants pay into (id, account_number, bank_name)."""

    def covered_through(self, account_ids: Collection[int]) -> dict[int, date]:
        """The last day each account's imported statements cover."""

    def never_reconciled(self, account_ids: Collection[int], until: date) -> dict[int, int]:
        """Per account, money-in lines booked by a day that nobody and no run looked at."""

    def payers_waiting(
        self, account_ids: Collection[int], customer_ids: Collection[int]
    ) -> list[tuple[int, int]]:
        """(line, customer) for unmatched money in a run found to be from one of these customers."""

    def unread_receipts(self, account_ids: Collection[int]) -> list[Any]:
        """Unmatched money in whose payer no run has read."""

    def set_states(self, states: Mapping[int, LineState]) -> None:
        """Set many lines' states."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert a statement's lines."""


class ReconciliationDecisions(Protocol):
    """The latest decision of each line."""

    def of_lines(self, line_ids: Collection[int]) -> dict[int, Any]:
        """Decisions by line."""

    def replace(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write decisions, replacing earlier ones."""

    def replace_payers(self, line_ids: Sequence[int], pairs: Sequence[tuple[int, int]]) -> None:
        """Write whom these lines' payers point to, replacing earlier runs' findings."""

    def clear(self, line_ids: Sequence[int]) -> None:
        """Forget decisions."""
