"""HTTP API: one package per resource, thin views that translate HTTP to service calls.

Each resource has routes.py (the blueprint and its views) and schemas.py (arguments and answers). Beside them:
context.py (per-request plumbing and the unit of work), errors.py (the one error shape), common.py (shared
fields), messages.py (translated field messages). The blueprints are registered below, from an explicit tuple.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from backend.api import (
    approvals,
    assets,
    audit,
    auth,
    bank_accounts,
    bank_lines,
    bank_statements,
    board,
    channels,
    charges,
    checklists,
    codes,
    collections,
    credit_notes,
    customers,
    deposits,
    devices,
    health,
    holiday_calendars,
    imports,
    inspections,
    iot,
    jobs,
    labels,
    leases,
    my_reports,
    notifications,
    payments,
    photos,
    portfolio,
    projects,
    push,
    receivables,
    regions,
    reminders,
    status_requests,
    sync,
    templates,
    users,
    work_orders,
)
from backend.api.common import MAX_ID
from backend.api.context import register_request_hooks
from backend.api.errors import register_error_handlers
from backend.api.sync.schemas import document_commands

BLUEPRINTS = (
    health.routes.blp,
    auth.routes.blp,
    devices.routes.blp,
    regions.routes.blp,
    projects.routes.blp,
    assets.routes.blp,
    customers.routes.blp,
    users.routes.blp,
    audit.routes.blp,
    templates.routes.blp,
    leases.routes.blp,
    approvals.routes.blp,
    jobs.routes.blp,
    notifications.routes.blp,
    push.routes.blp,
    channels.routes.blp,
    codes.routes.blp,
    holiday_calendars.routes.blp,
    labels.routes.blp,
    photos.routes.blp,
    imports.routes.blp,
    checklists.routes.blp,
    inspections.routes.blp,
    board.routes.blp,
    status_requests.routes.blp,
    my_reports.routes.blp,
    work_orders.routes.blp,
    sync.routes.blp,
    charges.routes.blp,
    payments.routes.blp,
    credit_notes.routes.blp,
    deposits.routes.blp,
    receivables.routes.blp,
    portfolio.routes.blp,
    reminders.routes.blp,
    bank_accounts.routes.blp,
    bank_statements.routes.blp,
    bank_lines.routes.blp,
    iot.routes.blp,
    collections.routes.blp,
)


class IdConverter(IntegerConverter):
    """A positive database id in a path; larger numbers simply match no row (404)."""

    def __init__(self, url_map: object) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)  # type: ignore[arg-type]


def register(app: Flask, api: Api) -> None:
    """Register hooks, error handlers and every blueprint on the application."""
    app.url_map.converters["id"] = IdConverter
    register_request_hooks(app)
    register_error_handlers(app, api)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    document_commands(api.spec)
