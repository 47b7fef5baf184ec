"""Bank statements: preview or import a file; list and read imported statements."""

from typing import Any

from flask.views import MethodView

from backend.adapters.statements import MAX_BYTES
from backend.api.bank_statements.schemas import (
    BankStatementQueryArgsSchema,
    BankStatementSchema,
    StatementFormSchema,
    StatementImportSchema,
)
from backend.api.common import READ, READ_ONE, UploadBlueprint, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.banking.services import imports

blp = UploadBlueprint(
    "bank_statements", __name__, url_prefix="/api/bank-statements", description="Imported bank statements."
)


@blp.route("")
class BankStatementViews(MethodView):
    """The statement collection."""

    @blp.arguments(BankStatementQueryArgsSchema, location="query")
    @blp.response(200, BankStatementSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List imported statements of accounts you may see, newest first"""
        items, pagination_parameters.item_count = imports.list_statements(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(StatementFormSchema, location="multipart")
    @blp.response(200, StatementImportSchema, description="Preview: nothing was written.")
    @blp.alt_response(201, schema=StatementImportSchema, description="Imported: every line was stored.")
    @errors(blp, 400, 401, 403, 404, 409, 413, 415, 422)
    def post(self, form: dict[str, Any]) -> Any:
        """Check a statement file and preview it, or import it whole with commit=true"""
        upload = form["file"]
        try:
            data = upload.stream.read(MAX_BYTES + 1)
        finally:
            upload.close()
        result = imports.import_statement(
            form["bank_account_id"],
            data,
            upload.filename or "",
            form.get("profile_code"),
            form["commit"],
            actor(),
            uow(),
            now(),
        )
        return (result, 201) if form["commit"] else result


@blp.route("/<id:statement_id>")
class BankStatementByIdViews(MethodView):
    """One statement."""

    @blp.response(200, BankStatementSchema)
    @errors(blp, *READ_ONE)
    def get(self, statement_id: int) -> Any:
        """Read an imported statement"""
        return imports.get_statement(statement_id, actor(), uow())
