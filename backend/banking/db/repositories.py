"""Repositories of banking: accounts, stored profiles, statements, lines, reconciliation decisions."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, true, update
from sqlalchemy.orm import Session

from backend.banking.db.models import (
    BankAccount,
    BankLine,
    BankLinePayer,
    BankProfileRecord,
    BankStatement,
    ReconciliationDecision,
)
from backend.banking.domain.lines import LineState
from backend.core.db.repositories import (
    IN_CHUNK,
    Repository,
    bulk_insert,
    contains,
    equals,
    insert_many,
    one_of,
    table_of,
)
from backend.core.db.scoping import in_projects
from backend.core.domain.access import Scope


def accounts_in(scope: Scope) -> ColumnElement[bool]:
    """Accounts a scope reaches: those of its projects, and region-wide ones of its regions."""
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = [in_projects(BankAccount.project_id, scope)]
    if scope.region_ids:
        clauses.append(BankAccount.region_id.in_(scope.region_ids))
    return or_(*clauses)


class BankAccountRepository(Repository[BankAccount]):
    """Our bank accounts."""

    model = BankAccount
    entity_name = "Bank account"
    filters = {
        "q": contains(BankAccount.bank_name, BankAccount.account_number, BankAccount.account_name),
        "region_id": equals(BankAccount.region_id),
        "project_id": equals(BankAccount.project_id),
        "is_active": equals(BankAccount.is_active),
    }
    sortable = {"bank_name": BankAccount.bank_name, "account_number": BankAccount.account_number}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return accounts_in(scope)

    def in_scope(self, row: BankAccount, scope: Scope) -> bool | None:
        if row.project_id is not None and row.project is not None:
            return scope.covers_project(row.project_id, row.project.region_id)
        return scope.covers_region(row.region_id)

    def using_profile(self, code: str) -> bool:
        """Whether an account names the profile as its default."""
        return (
            self.session.scalar(select(BankAccount.id).where(BankAccount.profile_code == code).limit(1))
            is not None
        )


class BankProfileRepository:
    """Statement profiles entered through the API."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[BankProfileRecord]:
        """Every stored profile."""
        return list(self.session.scalars(select(BankProfileRecord).order_by(BankProfileRecord.code)))

    def by_code(self, code: str) -> BankProfileRecord | None:
        """One stored profile."""
        return self.session.scalar(select(BankProfileRecord).where(BankProfileRecord.code == code))

    def create(self, **values: Any) -> BankProfileRecord:
        """Stage a profile."""
        record = BankProfileRecord(**values)
        self.session.add(record)
        return record

    def delete(self, record: BankProfileRecord) -> None:
        """Stage a deletion."""
        self.session.delete(record)


class BankStatementRepository(Repository[BankStatement]):
    """Imported statements, scoped by their account."""

    model = BankStatement
    entity_name = "Bank statement"
    filters = {"bank_account_id": equals(BankStatement.bank_account_id)}
    sortable = {"imported_at": BankStatement.imported_at, "period_end": BankStatement.period_end}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return BankStatement.bank_account_id.in_(select(BankAccount.id).where(accounts_in(scope)))

    def by_digest(self, account_id: int, digest: str) -> BankStatement | None:
        """The statement imported from the very same file."""
        return self.session.scalar(
            select(BankStatement).where(
                BankStatement.bank_account_id == account_id, BankStatement.sha256 == digest
            )
        )

    def latest_of(self, account_id: int) -> BankStatement | None:
        """The account's latest statement."""
        statement = (
            select(BankStatement)
            .where(BankStatement.bank_account_id == account_id)
            .order_by(BankStatement.period_end.desc(), BankStatement.id.desc())
            .limit(1)
        )
        return self.session.scalar(statement)

    def previous_of(self, account_id: int, starts: date | None) -> BankStatement | None:
        """The statement a new one continues: the latest ending on or before its start."""
        statement = select(BankStatement).where(BankStatement.bank_account_id == account_id)
        if starts is not None:
            statement = statement.where(BankStatement.period_end <= starts)
        statement = statement.order_by(BankStatement.period_end.desc(), BankStatement.id.desc()).limit(1)
        return self.session.scalar(statement)


OPEN_RECEIPT_COLUMNS = (
    BankLine.id,
    BankLine.bank_account_id,
    BankLine.booked_on,
    BankLine.amount,
    BankLine.currency,
    BankLine.counterparty_name,
    BankLine.counterparty_account,
    BankLine.memo,
    BankLine.bank_reference,
)


class BankLineRepository(Repository[BankLine]):
    """Statement lines, scoped by their account; by default a list shows the difference list."""

    model = BankLine
    entity_name = "Bank line"
    filters = {
        "q": contains(BankLine.counterparty_name, BankLine.memo, BankLine.bank_reference),
        "bank_account_id": equals(BankLine.bank_account_id),
        "statement_id": equals(BankLine.statement_id),
        "state": one_of(BankLine.state),
        "booked_from": lambda value: BankLine.booked_on >= value,
        "booked_to": lambda value: BankLine.booked_on <= value,
        "outcome": lambda value: BankLine.id.in_(
            select(ReconciliationDecision.bank_line_id).where(ReconciliationDecision.outcome.in_(value))
        ),
    }
    sortable = {"booked_on": BankLine.booked_on, "amount": BankLine.amount, "line_no": BankLine.line_no}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return BankLine.bank_account_id.in_(select(BankAccount.id).where(accounts_in(scope)))

    def existing_keys(self, account_id: int, keys: Collection[str]) -> dict[str, int]:
        """Which of these duplicate keys the account's earlier statements hold, with the statement."""
        wanted = sorted(set(keys))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = select(BankLine.dedupe_key, BankLine.statement_id).where(
                BankLine.bank_account_id == account_id,
                BankLine.dedupe_key.in_(wanted[start : start + IN_CHUNK]),
            )
            found.update(self.session.execute(statement).all())
        return found

    def open_receipts(self, scope: Scope, account_id: int | None = None) -> list[Any]:
        """Money in still on the difference list that no person decided on, oldest first, as plain rows with
        the account's region and project (a run reads many thousands)."""
        decided_by_hand = select(ReconciliationDecision.bank_line_id).where(
            ReconciliationDecision.rule == "manual"
        )
        statement = (
            select(*OPEN_RECEIPT_COLUMNS, BankAccount.region_id, BankAccount.project_id)
            .join(BankAccount, BankAccount.id == BankLine.bank_account_id)
            .where(accounts_in(scope), and_(BankLine.state == LineState.UNMATCHED, BankLine.amount > 0))
            .where(BankLine.id.not_in(decided_by_hand))
        )
        if account_id is not None:
            statement = statement.where(BankLine.bank_account_id == account_id)
        return list(self.session.execute(statement.order_by(BankLine.booked_on, BankLine.id)))

    def serving(self, project_id: int, region_id: int) -> list[Any]:
        """Active accounts a project's tenants pay into: the project's own and its region's shared ones."""
        statement = (
            select(BankAccount.id, BankAccount.account_number, BankAccount.bank_name)
            .where(BankAccount.is_active.is_(True))
            .where(
                or_(
                    BankAccount.project_id == project_id,
                    and_(BankAccount.project_id.is_(None), BankAccount.region_id == region_id),
                )
            )
            .order_by(BankAccount.id)
        )
        return list(self.session.execute(statement))

    def covered_through(self, account_ids: Collection[int]) -> dict[int, date]:
        """The last day each account's imported statements cover: their stated end, else their last line."""
        if not account_ids:
            return {}
        last_line = (
            select(func.max(BankLine.booked_on))
            .where(BankLine.statement_id == BankStatement.id)
            .scalar_subquery()
        )
        statement = (
            select(
                BankStatement.bank_account_id, func.max(func.coalesce(BankStatement.period_end, last_line))
            )
            .where(BankStatement.bank_account_id.in_(account_ids))
            .group_by(BankStatement.bank_account_id)
        )
        return {row[0]: row[1] for row in self.session.execute(statement) if row[1] is not None}

    def never_reconciled(self, account_ids: Collection[int], until: date) -> dict[int, int]:
        """Per account, money-in lines booked by a day that no reconciliation run or person has looked at."""
        if not account_ids:
            return {}
        decided = exists().where(ReconciliationDecision.bank_line_id == BankLine.id)
        statement = (
            select(BankLine.bank_account_id, func.count())
            .where(BankLine.bank_account_id.in_(account_ids), BankLine.booked_on <= until)
            .where(BankLine.state == LineState.UNMATCHED, BankLine.amount > 0, ~decided)
            .group_by(BankLine.bank_account_id)
        )
        return {row[0]: row[1] for row in self.session.execute(statement)}

    def payers_waiting(
        self, account_ids: Collection[int], customer_ids: Collection[int]
    ) -> list[tuple[int, int]]:
        """(line, customer) for money in still unmatched on these accounts that a run found to be from one of
        these customers."""
        found: list[tuple[int, int]] = []
        if not account_ids:
            return found
        wanted = sorted(set(customer_ids))
        for start in range(0, len(wanted), IN_CHUNK):
            statement = (
                select(BankLinePayer.bank_line_id, BankLinePayer.customer_id)
                .join(BankLine, BankLine.id == BankLinePayer.bank_line_id)
                .where(BankLinePayer.customer_id.in_(wanted[start : start + IN_CHUNK]))
                .where(BankLine.bank_account_id.in_(account_ids))
                .where(BankLine.state == LineState.UNMATCHED, BankLine.amount > 0)
            )
            found.extend((line_id, customer_id) for line_id, customer_id in self.session.execute(statement))
        return found

    def unread_receipts(self, account_ids: Collection[int]) -> list[Any]:
        """Money in still unmatched on these accounts whose payer no run has read: never decided, or last
        decided by a person (unmatched by hand), as plain rows for the payer lookup."""
        if not account_ids:
            return []
        by_a_run = exists().where(
            ReconciliationDecision.bank_line_id == BankLine.id,
            or_(ReconciliationDecision.rule.is_(None), ReconciliationDecision.rule != "manual"),
        )
        statement = (
            select(*OPEN_RECEIPT_COLUMNS)
            .where(BankLine.bank_account_id.in_(account_ids))
            .where(BankLine.state == LineState.UNMATCHED, BankLine.amount > 0, ~by_a_run)
            .order_by(BankLine.booked_on, BankLine.id)
        )
        return list(self.session.execute(statement))

    def set_states(self, states: Mapping[int, LineState]) -> None:
        """Set many lines' states: one UPDATE per state and chunk of ids."""
        by_state: dict[LineState, list[int]] = {}
        for line_id, state in states.items():
            by_state.setdefault(state, []).append(line_id)
        for state, ids in by_state.items():
            for start in range(0, len(ids), IN_CHUNK):
                self.session.execute(
                    update(table_of(BankLine))
                    .where(table_of(BankLine).c.id.in_(ids[start : start + IN_CHUNK]))
                    .values(state=state)
                )

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert a statement's lines with one executemany."""
        bulk_insert(self.session, BankLine, rows)


class DecisionRepository:
    """The latest reconciliation decision of each line."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_lines(self, line_ids: Collection[int]) -> dict[int, ReconciliationDecision]:
        """Decisions by line."""
        wanted = sorted(set(line_ids))
        found: dict[int, ReconciliationDecision] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = select(ReconciliationDecision).where(
                ReconciliationDecision.bank_line_id.in_(wanted[start : start + IN_CHUNK])
            )
            found.update((row.bank_line_id, row) for row in self.session.scalars(statement))
        return found

    def replace(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write these lines' decisions, replacing earlier ones."""
        self.clear([row["bank_line_id"] for row in rows])
        insert_many(self.session, ReconciliationDecision, rows)

    def replace_payers(self, line_ids: Sequence[int], pairs: Sequence[tuple[int, int]]) -> None:
        """Write whom these lines' payers point to (line, customer), replacing what earlier runs found."""
        table = table_of(BankLinePayer)
        for start in range(0, len(line_ids), IN_CHUNK):
            self.session.execute(
                delete(table).where(table.c.bank_line_id.in_(line_ids[start : start + IN_CHUNK]))
            )
        rows = [{"bank_line_id": line, "customer_id": customer} for line, customer in pairs]
        insert_many(self.session, BankLinePayer, rows)

    def clear(self, line_ids: Sequence[int]) -> None:
        """Forget these lines' decisions."""
        table = table_of(ReconciliationDecision)
        for start in range(0, len(line_ids), IN_CHUNK):
            self.session.execute(
                delete(table).where(table.c.bank_line_id.in_(line_ids[start : start + IN_CHUNK]))
            )
