"""Customers (tenants): list, create, read, change, delete."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, uow
from backend.api.customers.schemas import CustomerQueryArgsSchema, CustomerSchema
from backend.org.services import customers

blp = Blueprint(
    "customers",
    __name__,
    url_prefix="/api/customers",
    description="Customers with contacts, bank accounts and payer names.",
)


@blp.route("")
class CustomerViews(MethodView):
    """The customer collection."""

    @blp.arguments(CustomerQueryArgsSchema, location="query")
    @blp.response(200, CustomerSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the customers of regions you can see"""
        items, pagination_parameters.item_count = customers.list_customers(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(CustomerSchema)
    @blp.response(201, CustomerSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Register a customer"""
        return customers.create_customer(values, actor(), uow())


@blp.route("/<id:customer_id>")
class CustomerByIdViews(MethodView):
    """One customer."""

    @blp.response(200, CustomerSchema)
    @errors(blp, *READ_ONE)
    def get(self, customer_id: int) -> Any:
        """Read a customer"""
        return customers.get_customer(customer_id, actor(), uow())

    @blp.arguments(patch_body(CustomerSchema))
    @blp.response(200, CustomerSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], customer_id: int) -> Any:
        """Change a customer (given lists replace the stored ones)"""
        return customers.update_customer(customer_id, changes, actor(), uow())

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, customer_id: int) -> None:
        """Delete a customer entered by mistake"""
        customers.delete_customer(customer_id, actor(), uow())
