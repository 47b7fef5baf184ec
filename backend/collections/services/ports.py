"""Storage ports of collections: the dunning run's reads and writes, pauses, cases, tasks."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup


class Dunning(Protocol):
    """What a project's dunning run reads and keeps."""

    def policies(self, project_id: int) -> list[Any]:
        """A project's policies, one per customer tier it configured."""

    def policy(self, project_id: int, customer_tier: Any) -> Any | None:
        """A project's policy for one customer tier, if configured."""

    def add_policy(self, **values: Any) -> Any:
        """Stage a policy."""

    def open_bills(self, project_id: int, due_before: date) -> list[Any]:
        """A project's open bills due before a day, oldest first."""

    def late_fee_candidates(self, project_id: int, through: date) -> list[Any]:
        """Bills of leases with a clause that may have days to accrue through a day."""

    def settlements(self, charge_ids: Collection[int]) -> dict[int, list[tuple[date, Decimal]]]:
        """Live allocations to each charge with the day their money counts."""

    def paid_since(self, customer_id: int, project_id: int, since: date) -> Decimal:
        """What a customer's payments received since a day settled of the project's bills."""

    def leases(self, lease_ids: Collection[int]) -> dict[int, Any]:
        """Leases' late-fee clauses, account managers and contract types."""

    def customers(self, customer_ids: Collection[int]) -> dict[int, Any]:
        """Customers by id."""

    def primary_contacts(self, customer_ids: Collection[int]) -> dict[int, Any]:
        """Each customer's primary contact."""

    def standings(self, project_id: int) -> dict[int, Any]:
        """Where each customer of a project stood after the last run."""

    def add_standing(self, **values: Any) -> Any:
        """Stage a standing."""

    def notices_on(self, project_id: int, run_on: date) -> dict[int, Any]:
        """The notices a project's runs wrote on a day, by customer."""

    def add_notice(self, **values: Any) -> Any:
        """Stage a notice."""

    def add_task(self, **values: Any) -> Any:
        """Stage an account manager's task."""

    def open_promises(self, project_id: int) -> list[Any]:
        """The project's open promises."""

    def approved_graces(self, project_id: int, on: date) -> list[Any]:
        """Approved grace periods running on a day."""

    def disputes_of_charges(self, project_id: int) -> dict[int, list[tuple[date, date | None]]]:
        """Each disputed charge with its dispute spans."""

    def open_cases(self, project_id: int) -> dict[int, Any]:
        """Open legal cases by customer."""

    def add_case(self, **values: Any) -> Any:
        """Stage a case."""

    def accruals(self, charge_ids: Collection[int]) -> dict[int, Any]:
        """Late-fee accruals by charge."""

    def save_accruals(
        self, new: Sequence[Mapping[str, Any]], changed: Sequence[Mapping[str, Any]]
    ) -> dict[int, int]:
        """Insert new accruals and update changed ones; the new ones' ids by charge."""

    def waive(self, accrual_id: int, amount: Decimal, now: datetime) -> None:
        """Add to what is waived of an accrual."""

    def add_postings(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert late-fee postings."""

    def late_fees_of(self, customer_ids: Collection[int], project_id: int) -> dict[int, Decimal]:
        """Late fees each customer owes in the project."""

    def postings_of(self, charge_id: int) -> list[Any]:
        """A charge's late-fee postings."""


class Conduct(Protocol):
    """What the dunning records say of a customer."""

    def counts(self, customer_id: int, scope: Scope, until: date) -> tuple[int, int]:
        """Promises broken and disputes raised by a day."""

    def told_on(
        self, customer_id: int, scope: Scope, since: date, until: date
    ) -> list[tuple[date, list[Any]]]:
        """The days the customer was told, with the bills it was about."""

    def answers(self, customer_id: int, since: date, until: date) -> list[date]:
        """Days the customer answered (paid, promised, disputed)."""


class Listed(Lookup, Protocol):
    """A table the API lists and adds to, scoped by project."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of rows inside the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a row."""


class DunningStandings(Listed, Protocol):
    """The workbench's customers by tier."""


class DunningNotices(Listed, Protocol):
    """What the runs did."""


class PaymentPromises(Listed, Protocol):
    """Promises to pay."""


class GracePeriods(Listed, Protocol):
    """Grace periods."""


class Disputes(Listed, Protocol):
    """Disputes over bills."""

    def open_of(self, customer_id: int) -> list[Any]:
        """A customer's open disputes."""


class CollectionCases(Listed, Protocol):
    """Legal cases."""


class CollectionTasks(Listed, Protocol):
    """Account managers' tasks."""


class DeviceLocks(Listed, Protocol):
    """Lock and unlock commands of leased machines, and what sending them reads."""

    def equipment_assets(self, lease_ids: Collection[int]) -> dict[int, list[int]]:
        """The machines of those leases whose template is an equipment contract, by lease."""

    def commanded(self, project_id: int) -> dict[int, list[int]]:
        """The machines of the project that were ever commanded, by lease."""

    def last_of(self, asset_ids: Collection[int]) -> dict[int, Any]:
        """Each machine's newest command."""

    def agreed(self, limit: int) -> list[Any]:
        """Agreed commands waiting to go out, oldest first, locked against another worker."""

    def command_facts(self, lock_ids: Collection[int]) -> dict[int, Any]:
        """What a command tells the platform (lease, asset, asset_name, customer, region_id), by command."""

    def devices_of(self, asset_ids: Collection[int]) -> dict[int, list[str]]:
        """The codes of the active IoT devices linked to each machine."""

    def control_endpoints(self, project_id: int, region_id: int | None, kind: str) -> list[Any]:
        """The enabled webhooks set up for a kind on the project, then on its region."""


class CreditConsents(Lookup, Protocol):
    """Customers' consents to fetch third-party credit information."""

    def create(self, **values: Any) -> Any:
        """Stage a consent."""

    def of_customer(self, customer_id: int) -> list[Any]:
        """A customer's consents, newest first."""


class CreditSignals(Protocol):
    """Public facts about customers from credit providers."""

    def of_customer(self, customer_id: int) -> list[Any]:
        """A customer's signals, newest first."""

    def references(self, customer_id: int, provider: str) -> set[str]:
        """The references a provider's signals of the customer are stored under."""

    def add(self, **values: Any) -> Any:
        """Stage a signal."""
