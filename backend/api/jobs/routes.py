"""Job runs: what was generated, checked or imported, and what failed; failed runs can be retried."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, READ_ONE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.jobs.schemas import JobRunQueryArgsSchema, JobRunSchema, ScheduledJobSchema
from backend.core.services import jobs
from backend.worker import scheduled_jobs

blp = Blueprint(
    "jobs", __name__, url_prefix="/api/job-runs", description="Job runs: outcomes of generations and checks."
)


@blp.route("")
class JobRunViews(MethodView):
    """The job run collection."""

    @blp.arguments(JobRunQueryArgsSchema, location="query")
    @blp.response(200, JobRunSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List job runs of your projects, newest first"""
        items, pagination_parameters.item_count = jobs.list_runs(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items


@blp.route("/scheduled")
class ScheduledJobViews(MethodView):
    """The scheduled jobs."""

    @blp.response(200, ScheduledJobSchema(many=True))
    @errors(blp, *READ)
    def get(self) -> Any:
        """List the scheduled jobs: schedule, next slot, slot states, latest slot (job admins)"""
        return jobs.scheduled(scheduled_jobs(), actor(), uow(), now())


@blp.route("/<id:run_id>")
class JobRunByIdViews(MethodView):
    """One job run."""

    @blp.response(200, JobRunSchema)
    @errors(blp, *READ_ONE)
    def get(self, run_id: int) -> Any:
        """Read a job run"""
        return jobs.get_run(run_id, actor(), uow())


@blp.route("/<id:run_id>/retry")
class JobRunRetryViews(MethodView):
    """Retrying a failed run."""

    @blp.response(200, JobRunSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, run_id: int) -> Any:
        """Retry a failed run: a scheduled job's slot is due again at once; a schedule generation runs now"""
        return jobs.retry(run_id, actor(), uow(), now())
