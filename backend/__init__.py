"""LeaseKeeper: lease and asset management. `create_app()` builds the Flask application."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from flask import Flask

from backend.config import load_config


def create_app(config: type[Any] | None = None, **overrides: Any) -> Flask:
    """Build the application; nothing touches the database until a request needs it."""
    from backend import api as api_package
    from backend.adapters import passwords
    from backend.adapters.channels import build_adapters
    from backend.adapters.secrets import SecretBox
    from backend.adapters.storage import storage_from_config
    from backend.api.cookies import HttpsAwareSessionInterface
    from backend.collections.services import locks  # noqa: F401 - registers the lock approvals
    from backend.core.db.database import Database
    from backend.extensions import babel, csrf, make_api
    from backend.field.services import automations, status_requests  # noqa: F401 - they register on import
    from backend.iot.services import ingest  # noqa: F401 - work-order meter readings register on import
    from backend.leasing.services import calendars as holiday_years
    from backend.logging_setup import configure_logging
    from backend.notify.delivery import OutboxDeliverer, PushSender, PushSettings
    from backend.web import register_front_end

    app = Flask(__name__, static_folder=None)
    app.session_interface = HttpsAwareSessionInterface()
    app.config.update(load_config(config, overrides))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
    configure_logging(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    app.config["API_SPEC_OPTIONS"]["components"]["securitySchemes"]["session"]["name"] = app.config[
        "SESSION_COOKIE_NAME"
    ]

    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    database = Database(app.config["DATABASE_URL"], app.config["DATABASE_ECHO"])
    app.extensions["leasekeeper.db"] = database
    # Schedules read the holiday years entered as data from this database (at first use, not here).
    holiday_years.bind(database.unit_of_work)
    push = PushSender(PushSettings.from_config(app.config))
    secrets = app.extensions["leasekeeper.secrets"] = SecretBox(
        app.config["CHANNEL_SECRETS_KEY"] or app.config["SECRET_KEY"]
    )
    app.extensions["leasekeeper.outbox"] = OutboxDeliverer(
        partial(database.unit_of_work, writes=True),
        build_adapters(app.config, push.catalogue.translations),
        push,
        secrets,
        app.config["PUBLIC_BASE_URL"],
        threads=app.config["DELIVERY_THREADS"],
    )
    app.extensions["leasekeeper.storage"] = storage_from_config(app.config)
    _bind_device_commands(app, secrets)
    _bind_portfolio_reports(app, push.catalogue.translations)
    passwords.configure(
        app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"], app.config["ARGON2_PARALLELISM"]
    )
    from backend.api.context import select_locale

    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    api = make_api()
    api.init_app(app)
    app.extensions["leasekeeper.api"] = api
    api_package.register(app, api)
    register_front_end(app)
    return app


def _bind_device_commands(app: Flask, secrets: Any) -> None:
    """The device-command job's tools: a webhook client under the outbound allow-list, the secrets' key; and
    the credit-signals provider the API hands to its use cases (None when not configured)."""
    from backend.adapters.channels.webhook import WebhookSettings
    from backend.adapters.credit_signals import provider_from_config
    from backend.adapters.device_control import WebhookDeviceControl
    from backend.collections.services import device_commands

    control = WebhookDeviceControl(WebhookSettings.from_config(app.config))
    device_commands.bind(device_commands.DeviceTools(control=control, secrets=secrets))
    app.extensions["leasekeeper.credit_signals"] = provider_from_config(app.config)


def _bind_portfolio_reports(app: Flask, translations: Any) -> None:
    """The portfolio jobs' tools: this application's storage, catalogue, renderers and stated choices."""
    from backend.adapters.reports.portfolio_pdf import render_pdf
    from backend.adapters.reports.portfolio_xlsx import render_xlsx
    from backend.analytics.domain.sums import Policy
    from backend.analytics.services import reports
    from backend.core.domain.access import Role

    config = app.config
    try:
        roles = tuple(
            Role(name.strip()) for name in str(config["PORTFOLIO_REPORT_ROLES"]).split(",") if name.strip()
        )
        policy = Policy(config["PORTFOLIO_UNAVAILABLE_AS"], int(config["PORTFOLIO_STALE_AFTER_DAYS"]))
    except ValueError as error:
        raise ValueError(f"portfolio settings: {error}") from None
    reports.bind(
        reports.ReportTools(
            storage=app.extensions["leasekeeper.storage"],
            translations=translations,
            renderers={
                "xlsx": partial(render_xlsx, translations=translations),
                "pdf": partial(render_pdf, translations=translations),
            },
            policy=policy,
            timezone=config["PORTFOLIO_TIMEZONE"],
            roles=roles,
        )
    )
