"""Use cases for customers (tenants) and their contacts, bank accounts and payer names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import apply_changes, ensure_unique, for_change
from backend.core.services.unit_of_work import UnitOfWork

CHILD_LISTS = ("contacts", "bank_accounts", "payer_names")


def list_customers(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Customers of the regions the actor can see."""
    return uow.customers.page(actor.require(P.CUSTOMER_READ), query)


def get_customer(customer_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible customer with contacts, bank accounts and payer names."""
    return uow.customers.get(customer_id, actor.require(P.CUSTOMER_READ))


def _check_region(region_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Customers belong to a region the actor's customer-writing reach touches."""
    try:
        uow.regions.get(region_id, actor.require(P.CUSTOMER_WRITE))
    except NotFound:
        raise ValidationFailed.single(
            "region_id", N_("Unknown region, or one you may not add customers to.")
        ) from None


def _check_children(values: Mapping[str, Any]) -> None:
    contacts = values.get("contacts") or []
    if sum(1 for contact in contacts if contact.get("is_primary")) > 1:
        raise ValidationFailed.single("contacts", N_("Mark at most one contact as primary."))
    numbers = [account["account_number"] for account in values.get("bank_accounts") or []]
    if len(numbers) != len(set(numbers)):
        raise ValidationFailed.single("bank_accounts", N_("The same account number is listed twice."))


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    scalars = {k: v for k, v in values.items() if k not in CHILD_LISTS}
    children = {k: list(values[k]) for k in CHILD_LISTS if k in values}
    return scalars, children


def _snapshot(customer: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = customer.audit_snapshot()
    snapshot["contacts"] = [c.audit_snapshot() for c in customer.contacts]
    snapshot["bank_accounts"] = [b.audit_snapshot() for b in customer.bank_accounts]
    snapshot["payer_names"] = [p.name for p in customer.payer_names]
    return snapshot


def create_customer(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Register a customer in a region."""
    _check_region(values["region_id"], actor, uow)
    _check_children(values)
    ensure_unique(uow.customers, values, ["code"])
    scalars, children = _split(values)
    customer = uow.customers.create(**scalars)
    uow.customers.replace_children(customer, children)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "customer",
        customer.id,
        after=_snapshot(customer),
        region_id=customer.region_id,
    )
    uow.commit()
    return customer


def update_customer(customer_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change a customer; a given child list replaces the stored one whole."""
    customer = for_change(uow.customers, customer_id, actor, P.CUSTOMER_READ, P.CUSTOMER_WRITE)
    if changes.get("region_id", customer.region_id) != customer.region_id:
        _check_region(changes["region_id"], actor, uow)
    _check_children(changes)
    ensure_unique(uow.customers, changes, ["code"], exclude_id=customer.id)
    before = _snapshot(customer)
    scalars, children = _split(changes)
    apply_changes(customer, scalars)
    uow.customers.replace_children(customer, children)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "customer",
        customer.id,
        before=before,
        after=_snapshot(customer),
        region_id=customer.region_id,
    )
    uow.commit()
    return customer


def delete_customer(customer_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Delete a customer entered by mistake."""
    customer = for_change(uow.customers, customer_id, actor, P.CUSTOMER_READ, P.CUSTOMER_DELETE)
    before = _snapshot(customer)
    uow.customers.delete(customer)
    audit.record(
        uow, actor, AuditAction.DELETE, "customer", customer_id, before=before, region_id=customer.region_id
    )
    uow.commit()
