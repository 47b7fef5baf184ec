"""Reminders: rules per template, my tasks, the "why not?" of a lease, critical dates, runs, feeds."""

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from flask_babel import force_locale, gettext
from flask_smorest import Blueprint

from backend.adapters.calendar_feed import render_ics
from backend.api.common import READ, READ_ONE, WRITE, WRITE_ONE, errors, paginate
from backend.api.context import actor, list_query, now, uow
from backend.api.reminders.schemas import (
    AcknowledgeSchema,
    CriticalDateBodySchema,
    CriticalDateQueryArgsSchema,
    CriticalDateSchema,
    ExplainedTagSchema,
    ExplainQueryArgsSchema,
    ExplanationSchema,
    FeedSchema,
    PersonSchema,
    ReassignSchema,
    RuleBodySchema,
    RuleQueryArgsSchema,
    RuleSetSchema,
    RunQueryArgsSchema,
    RunSchema,
    TagReviewSchema,
    TaskCountSchema,
    TaskQueryArgsSchema,
    TaskSchema,
)
from backend.core.services import auth
from backend.reminders.services import critical_dates, explain, rules, runs, tasks

blp = Blueprint(
    "reminders",
    __name__,
    url_prefix="/api/reminders",
    description="Critical dates, reminder rules, the engine's tasks and runs, and why a reminder did not go.",
)


@blp.route("/rules")
class RuleListViews(MethodView):
    """A template's reminder rules."""

    @blp.arguments(RuleQueryArgsSchema, location="query")
    @blp.response(200, RuleSetSchema(many=True))
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """A template's tiers for every date kind: its own, or the defaults (is_default)"""
        return rules.list_rules(args["template_id"], actor(), uow())


@blp.route("/rules/<id:template_id>/<string:date_kind>")
class RuleViews(MethodView):
    """One template's rule for one date kind."""

    @blp.arguments(RuleBodySchema)
    @blp.response(200, RuleSetSchema)
    @errors(blp, *WRITE_ONE)
    def put(self, body: dict[str, Any], template_id: int, date_kind: str) -> Any:
        """Replace the tiers (head office: lease:configure over every project); numbered from the earliest

        Refused with 422 naming the tier's field (tiers.0.days_before…) for days outside 0–730 or used twice,
        no recipient, or an unknown recipient or channel.
        """
        return rules.replace_rule(template_id, date_kind, body["tiers"], actor(), uow(), now())

    @blp.response(204)
    @errors(blp, *WRITE_ONE)
    def delete(self, template_id: int, date_kind: str) -> None:
        """Go back to the default tiers"""
        rules.reset_rule(template_id, date_kind, actor(), uow())


@blp.route("/tasks")
class TaskListViews(MethodView):
    """Reminder tasks."""

    @blp.arguments(TaskQueryArgsSchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Your tasks (mine=true, the default), or every task of your lease scope; by due day"""
        mine = args.pop("mine", True)
        if "overdue" in args:
            overdue = args.pop("overdue")
            if overdue:
                args["overdue_on"] = True
        args.setdefault("sort", "due_on,id")
        query = list_query(args, pagination_parameters)
        items, pagination_parameters.item_count = tasks.list_tasks(query, mine, actor(), uow(), now())
        return items


@blp.route("/tasks/count")
class TaskCountViews(MethodView):
    """How many tasks are yours."""

    @blp.response(200, TaskCountSchema)
    @errors(blp, 401)
    def get(self) -> Any:
        """Your open tasks, and how many are overdue (the field app's badge)"""
        total, overdue = tasks.count_mine(actor(), uow(), now())
        return {"open": total, "overdue": overdue}


@blp.route("/tasks/<id:task_id>")
class TaskViews(MethodView):
    """One task."""

    @blp.response(200, TaskSchema)
    @errors(blp, *READ_ONE)
    def get(self, task_id: int) -> Any:
        """A task of yours, or of your lease scope"""
        return tasks.get_task(task_id, actor(), uow(), now())


@blp.route("/tasks/<id:task_id>/acknowledge")
class AcknowledgeViews(MethodView):
    """Acknowledging a task."""

    @blp.arguments(AcknowledgeSchema)
    @blp.response(200, TaskSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], task_id: int) -> Any:
        """Acknowledge your task (or, as a manager over its project, someone's); a note when the tier asks"""
        return tasks.acknowledge(task_id, body.get("note"), actor(), uow(), now())


@blp.route("/tasks/<id:task_id>/assignees")
class AssigneeViews(MethodView):
    """Who can take a task over."""

    @blp.response(200, PersonSchema(many=True))
    @errors(blp, *READ_ONE, 409)
    def get(self, task_id: int) -> Any:
        """The active users who work on the task's project, for reassigning it (its owner or a manager)"""
        return tasks.assignees(task_id, actor(), uow())


@blp.route("/tasks/<id:task_id>/reassign")
class ReassignViews(MethodView):
    """Reassigning a task."""

    @blp.arguments(ReassignSchema)
    @blp.response(200, TaskSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], task_id: int) -> Any:
        """Hand an open task to an active user who works on its project; they are told"""
        return tasks.reassign(task_id, body["assignee_id"], body.get("note"), actor(), uow(), now())


@blp.route("/explain/<id:lease_id>")
class ExplainViews(MethodView):
    """Why not?"""

    @blp.arguments(ExplainQueryArgsSchema, location="query")
    @blp.response(200, ExplanationSchema)
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any], lease_id: int) -> Any:
        """For a lease (and a date kind): its tags, each date's tiers, when each fires or fired (rolled to a
        business day), to whom, on which channels, each delivery's state, and why any tier is skipped"""
        return explain.explain(lease_id, args.get("date_kind"), actor(), uow(), now())


@blp.route("/tag-reviews/<id:lease_id>")
class TagReviewViews(MethodView):
    """Confirming a lease's tag."""

    @blp.arguments(TagReviewSchema)
    @blp.response(200, ExplainedTagSchema(many=True))
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], lease_id: int) -> Any:
        """Confirm a flagged tag (lease:approve over the lease's project): a "no renewal" tag then silences
        the renewal reminders; audited"""
        return explain.confirm_tag(lease_id, body["tag"], actor(), uow(), now())


@blp.route("/runs")
class RunViews(MethodView):
    """The engine's run log."""

    @blp.arguments(RunQueryArgsSchema, location="query")
    @blp.response(200, RunSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """The engine's runs over your projects, newest first, with their figures and errors"""
        items, pagination_parameters.item_count = runs.list_runs(
            list_query(args, pagination_parameters), actor(), uow()
        )
        return items


@blp.route("/critical-dates")
class CriticalDateListViews(MethodView):
    """Critical dates."""

    @blp.arguments(CriticalDateQueryArgsSchema, location="query")
    @blp.response(200, CriticalDateSchema(many=True))
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """The critical dates of live leases in your scope, derived and entered (default: the next 90 days)"""
        return critical_dates.list_dates(
            args.get("from_"),
            args.get("to"),
            args.get("lease_id"),
            args.get("date_kind"),
            actor(),
            uow(),
            now(),
        )

    @blp.arguments(CriticalDateBodySchema)
    @blp.response(201, CriticalDateSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any]) -> Any:
        """Enter a date for a lease: insurance expiry, break option, other, a termination notice received"""
        return critical_dates.add_date(body, actor(), uow(), now())


@blp.route("/critical-dates/<id:entry_id>")
class CriticalDateViews(MethodView):
    """An entered date."""

    @blp.response(204)
    @errors(blp, *WRITE_ONE)
    def delete(self, entry_id: int) -> None:
        """Remove a date entered by hand"""
        critical_dates.delete_date(entry_id, actor(), uow())


@blp.route("/calendar-feed")
class FeedViews(MethodView):
    """Your private calendar feed of critical dates."""

    @blp.response(200, FeedSchema)
    @errors(blp, 401)
    def get(self) -> Any:
        """Whether you have a feed (its address is shown only when made)"""
        feed = critical_dates.feed_state(actor(), uow())
        return {"active": feed is not None, "created_at": feed.created_at if feed else None, "url": None}

    @blp.response(201, FeedSchema)
    @errors(blp, *WRITE)
    def post(self) -> Any:
        """Make a new feed address (the previous one stops working); copy it into your calendar app"""
        token, feed = critical_dates.new_feed(actor(), uow(), now())
        url = url_for("reminders.FeedFileViews", token=token, _external=True)
        return {"active": True, "created_at": feed.created_at, "url": url}

    @blp.response(204)
    @errors(blp, 401, 404)
    def delete(self) -> None:
        """Revoke your feed: its address answers 404 from now on"""
        critical_dates.revoke_feed(actor(), uow())


@blp.route("/feed/<string:token>.ics")
class FeedFileViews(MethodView):
    """A calendar feed, opened by its token (no session: calendar apps send none)."""

    @blp.response(200, {"type": "string"}, content_type="text/calendar")
    @errors(blp, 404)
    def get(self, token: str) -> Response:
        """The owner's critical dates from a month ago to a year ahead, in their scope and language"""
        moment = now()
        user, dates = critical_dates.feed_dates(token, uow(), moment, auth.principal_of)
        with force_locale(user.locale or "zh_CN"):
            body = render_ics(dates, critical_dates.kind_name, gettext, moment)
        return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
