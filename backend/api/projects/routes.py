"""Projects (sites): list, create, read, change, delete."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.approvals.schemas import ApprovalSchema
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, now, uow
from backend.api.projects.schemas import (
    ProjectChangesSchema,
    ProjectFieldSettingsSchema,
    ProjectQueryArgsSchema,
    ProjectSchema,
)
from backend.org.services import field_settings, org

blp = Blueprint(
    "projects",
    __name__,
    url_prefix="/api/projects",
    description="Projects: sites with their time zone, calendar and geofence.",
)


@blp.route("")
class ProjectViews(MethodView):
    """The project collection."""

    @blp.arguments(ProjectQueryArgsSchema, location="query")
    @blp.response(200, ProjectSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List the projects you can see"""
        items, pagination_parameters.item_count = org.list_projects(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items

    @blp.arguments(ProjectSchema)
    @blp.response(201, ProjectSchema)
    @errors(blp, *WRITE)
    def post(self, values: dict[str, Any]) -> Any:
        """Create a project in a region you manage"""
        return org.create_project(values, actor(), uow())


@blp.route("/<id:project_id>")
class ProjectByIdViews(MethodView):
    """One project."""

    @blp.response(200, ProjectSchema)
    @errors(blp, *READ_ONE)
    def get(self, project_id: int) -> Any:
        """Read a project"""
        return org.get_project(project_id, actor(), uow())

    @blp.arguments(patch_body(ProjectChangesSchema))
    @blp.response(200, ProjectSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, changes: dict[str, Any], project_id: int) -> Any:
        """Change a project (its geofence and field policy through a proposal)"""
        return org.update_project(project_id, changes, actor(), uow())

    @blp.response(204)
    @errors(blp, 401, 403, 404, 409)
    def delete(self, project_id: int) -> None:
        """Delete a project without assets or role assignments"""
        org.delete_project(project_id, actor(), uow())


@blp.route("/<id:project_id>/field-settings")
class ProjectFieldSettingsViews(MethodView):
    """Proposals to change a project's geofence or field policy: they apply when a second person approves."""

    @blp.arguments(ProjectFieldSettingsSchema)
    @blp.response(201, ApprovalSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, values: dict[str, Any], project_id: int) -> Any:
        """Propose a new geofence or field policy for a project"""
        reason = values.pop("reason")
        return field_settings.propose_project_settings(project_id, values, reason, actor(), uow(), now())
