"""Liveness and readiness for load balancers and orchestrators."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.context import database
from backend.api.health.schemas import HealthSchema
from backend.core.db.migrate import schema_state

blp = Blueprint("health", __name__, url_prefix="", description="Liveness and readiness.")


@blp.route("/healthz")
class HealthViews(MethodView):
    """Liveness."""

    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """The process is alive"""
        return {"status": "ok", "checks": {}}


@blp.route("/readyz")
class ReadinessViews(MethodView):
    """Readiness."""

    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="Not ready")
    def get(self) -> Any:
        """The database is reachable and migrated to the latest revision"""
        state = schema_state(database().engine)
        if state != "current":
            return {"status": "unavailable", "checks": {"database": state}}, 503
        return {"status": "ok", "checks": {"database": "current"}}
