"""Bank accounts and statement profiles."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.bank_accounts.schemas import (
    BankProfileSchema,
    CompanyBankAccountChangesSchema,
    CompanyBankAccountQueryArgsSchema,
    CompanyBankAccountSchema,
)
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, uow
from backend.banking.services import accounts

blp = Blueprint(
    "bank_accounts", __name__, url_prefix="/api", description="Our bank accounts and statement profiles."
)


@blp.route("/bank-accounts")
class BankAccountViews(MethodView):
    """The bank account collection."""

    @blp.arguments(CompanyBankAccountQueryArgsSchema, location="query")
    @blp.response(200, CompanyBankAccountSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List our bank accounts you may see"""
        items, pagination_parameters.item_count = accounts.list_accounts(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(CompanyBankAccountSchema)
    @blp.response(201, CompanyBankAccountSchema)
    @errors(blp, *WRITE, 404)
    def post(self, values: dict[str, Any]) -> Any:
        """Register a bank account of a region or project"""
        return accounts.create_account(values, actor(), uow())


@blp.route("/bank-accounts/<id:account_id>")
class BankAccountByIdViews(MethodView):
    """One bank account."""

    @blp.response(200, CompanyBankAccountSchema)
    @errors(blp, *READ_ONE)
    def get(self, account_id: int) -> Any:
        """Read a bank account with its latest closing balance"""
        return accounts.get_account(account_id, actor(), uow())

    @blp.arguments(CompanyBankAccountChangesSchema)
    @blp.response(200, CompanyBankAccountSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], account_id: int) -> Any:
        """Change a bank account"""
        return accounts.update_account(account_id, changes, actor(), uow())


@blp.route("/bank-profiles")
class BankProfileViews(MethodView):
    """The statement profiles."""

    @blp.response(200, BankProfileSchema(many=True))
    @errors(blp, *READ)
    def get(self) -> Any:
        """List the statement profiles the importer knows (built-in and entered)"""
        return accounts.list_profiles(actor(), uow())


@blp.route("/bank-profiles/<string(maxlength=32):code>")
class BankProfileByCodeViews(MethodView):
    """One statement profile."""

    @blp.arguments(BankProfileSchema)
    @blp.response(200, BankProfileSchema)
    @errors(blp, *WRITE)
    def put(self, definition: dict[str, Any], code: str) -> Any:
        """Enter a profile, or change one (a built-in one is replaced until the change is deleted)"""
        return accounts.put_profile(code, definition, actor(), uow())

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, code: str) -> None:
        """Delete an entered profile (a built-in one of the same code comes back)"""
        accounts.delete_profile(code, actor(), uow())
