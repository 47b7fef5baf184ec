"""The `leasekeeper` command: serve, migrate, seed demo data, users, labels, imports, and the jobs by hand."""

from __future__ import annotations

import json
import os
import socket
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

from backend import create_app
from backend.core.domain.access import Permission
from backend.core.domain.audit import Origin
from backend.core.domain.errors import DomainError
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext
from backend.org.domain.org import AssetStatus
from qr_tools.fonts import FontNotFound
from qr_tools.sheets import LAYOUTS
from sync import jobs as sync_jobs


def _app(_info: ScriptInfo | None = None) -> Flask:
    return create_app()


def _database(ctx: click.Context) -> Any:
    return ctx.find_object(ScriptInfo).load_app().extensions["leasekeeper.db"]  # type: ignore[union-attr]


def _by_hand() -> JobContext:
    """The context of a job someone runs from the command line, now."""
    return JobContext.by_hand(datetime.now(UTC))


def _fail(error: DomainError) -> None:
    fields = getattr(error, "fields", {})
    details = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
    raise click.ClickException(f"{error}{' ' + details if details else ''}")


class _LeaseKeeper(FlaskGroup):
    """The command group; a database another process keeps locked past the busy timeout is a clear error."""

    def invoke(self, ctx: click.Context) -> Any:
        from backend.core.db.uow import is_transient

        try:
            return super().invoke(ctx)
        except Exception as exc:
            if not is_transient(exc) or not {"locked", "busy"} & set(str(exc).lower().split()):
                raise
            raise click.ClickException(
                "The database is busy: another process kept it locked for too long. Nothing of this "
                "command's last step was written; run it again in a moment."
            ) from None


@click.group(cls=_LeaseKeeper, create_app=_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """LeaseKeeper: lease and asset management."""


@main.command()
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "8000")), type=int, show_default="8000")
@click.option("--threads", default=8, show_default=True, help="Worker threads (gunicorn).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the API and the app with gunicorn (one process, threaded)."""
    from gunicorn.app.base import BaseApplication

    app = ctx.find_object(ScriptInfo).load_app()  # type: ignore[union-attr]
    if app.config.get("PUBLIC_BASE_URL_DERIVED"):
        # No public address configured (development): links and labels point where this server listens;
        # listening on every interface, at this machine's own address on the network.
        reachable = host
        if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - comparing, not binding
            reachable = socket.gethostbyname(socket.gethostname())
        app.config["PUBLIC_BASE_URL"] = f"http://{reachable}:{port}"

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)  # the app logs each request itself
            # gunicorn's control socket would live in the user's home directory; nothing here uses it.
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Flask:
            return app

    click.echo(f"LeaseKeeper is serving on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)")
    _Server().run()


@main.group()
def db() -> None:
    """Database migrations."""


@db.command()
@click.option("--revision", default="head", show_default=True)
@click.pass_context
def upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the database up to a revision."""
    from backend.core.db import migrate

    migrate.upgrade(_database(ctx).url, revision)
    click.echo(f"Database migrated to {revision}.")


@db.command()
@click.option("--revision", required=True, help="Target revision, or 'base' to remove everything.")
@click.pass_context
def downgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the database down to a revision."""
    from backend.core.db import migrate

    migrate.downgrade(_database(ctx).url, revision)
    click.echo(f"Database migrated down to {revision}.")


@main.command()
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000), help="×N the demo size.")
@click.option("--seed", default=20261122, show_default=True, help="Random seed (same seed, same data).")
@click.option(
    "--statements-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where this month's demo bank statements are written (default: var/demo-statements).",
)
@click.pass_context
def demo(ctx: click.Context, scale: int, seed: int, statements_dir: Path | None) -> None:
    """Seed realistic demo data, only into an empty database: a portfolio and a year of bills and payments."""
    from backend.analytics.services import reports as portfolio_reports
    from backend.analytics.services import snapshots as portfolio_snapshots
    from backend.config import VAR_DIR
    from backend.demo import seed as demo_service
    from backend.demo.generator import generate
    from backend.demo.receivables import seed_receivables

    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = click.progressbar(length=total, label=f"{stage:<10}", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    with _database(ctx).unit_of_work() as uow:
        summary = demo_service.seed_demo(
            scale, Actor.system(Origin.CLI, "demo"), uow, progress=progress, seed=seed
        )
    if summary is None:
        click.echo("The database already holds data; demo data was not added.")
        logins = demo_service.demo_logins(generate(1, seed))
        click.echo("\n".join(["If it was seeded by this command:", *demo_service.login_table(logins)]))
        return
    click.echo(summary.describe())
    ledger = seed_receivables(
        _database(ctx).unit_of_work,
        Actor.system(Origin.CLI, "demo"),
        summary.today or datetime.now(UTC).date(),
        statements_dir or VAR_DIR / "demo-statements",
        seed,
        progress,
    )
    click.echo(ledger.describe())
    tools = portfolio_reports.tools()
    now = datetime.now(UTC)
    with _database(ctx).unit_of_work() as uow:
        written = portfolio_snapshots.write_snapshots(
            uow, now.astimezone(ZoneInfo(tools.timezone)).date(), tools.policy, now
        )
    click.echo(
        f"Portfolio snapshots of {len(written.first)} closed months written "
        f"({sum(written.first.values())} project-months), as the nightly job would."
    )
    from backend.reminders import jobs as reminder_jobs

    reminded = reminder_jobs.run_reminders(_database(ctx).unit_of_work, JobContext.by_hand(now))
    click.echo(
        f"Reminders: {reminded['sent']} sent for the critical dates already due ({reminded['late']} late), "
        "as the engine's first run would; open tasks are under My tasks in the office app."
    )
    from backend.demo.signals import seed_signals

    signals = seed_signals(
        _database(ctx).unit_of_work, Actor.system(Origin.CLI, "demo"),
        generate(summary.scale, seed, summary.today or now.date()), summary.today or now.date(), seed, now,
        progress,
    )  # fmt: skip
    click.echo(signals.describe())


@contextmanager
def _counting(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr for work that reports (done, total) as it goes."""
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield progress


@main.group()
def iot() -> None:
    """IoT signals: recompute the flags, run the consistency audit."""


@iot.command("flags")
@click.option("--project", "project_code", help="Only this project (its code); default every project.")
@click.option("--at", "at", help="As of this instant (ISO 8601); default now.")
@click.pass_context
def iot_flags(ctx: click.Context, project_code: str | None, at: str | None) -> None:
    """Recompute every asset's flags now (the worker does at 03:30 in each project); safe to repeat."""
    from backend.iot import jobs

    moment = _instant(at)
    database = _database(ctx)
    with database.unit_of_work() as uow:
        project_id = _project_id(uow, project_code)
    with _counting("assets") as progress:
        details = jobs.recompute_flags(
            database.unit_of_work, JobContext.by_hand(moment, project_id), progress
        )
    for name, value in details.items():
        click.echo(f"{name}: {value}")


@iot.command("audit")
@click.option("--at", "at", help="As of this instant (ISO 8601); default now.")
@click.pass_context
def iot_audit(ctx: click.Context, at: str | None) -> None:
    """Run a consistency audit of every asset now; its findings are in the office app under Audits."""
    from backend.iot.services import audit

    moment = _instant(at)
    database = _database(ctx)
    with database.unit_of_work() as uow:
        run_id = audit.queue_by_hand(uow, moment)
    with _counting("projects") as progress:
        with database.unit_of_work() as uow:
            uow.iot_audit.claim(moment, run_id)
            uow.commit()
        audit.run(run_id, database.unit_of_work, lambda: moment, progress=progress)
    actor = Actor.system(Origin.CLI, "iot-audit")
    with database.unit_of_work() as uow:
        view = audit.get_run(run_id, actor, uow)
        state, error = view["run"].state, view["run"].error
    overall = view["overall"]
    rate, previous = audit.percent(overall["rate"]), audit.percent(overall["previous_rate"])
    click.echo(f"Audit {run_id} ({state}): {overall['disagreeing']} of {overall['assets']} assets disagree "
               f"({rate}, last month {previous})")  # fmt: skip
    for project in view["projects"]:
        if project["disagreeing"]:
            click.echo(f"  {project['project_code']}: {project['disagreeing']} of {project['assets']} "
                       f"({audit.percent(project['rate'])})")  # fmt: skip
    if state != "done":
        raise click.ClickException(error or "the audit did not finish")


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--display-name", default=None)
@click.option("--email", default=None)
@click.option("--role", "roles", multiple=True, required=True, help="role, role:region=ID or role:project=ID")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def create_user(
    ctx: click.Context, username: str, display_name: str | None, email: str | None, roles: tuple[str, ...],
    password_stdin: bool,
) -> None:  # fmt: skip
    """Create a user (the first administrator, typically)."""
    from backend.core.services import users as user_service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    values = {
        "username": username,
        "display_name": display_name,
        "email": email,
        "password": password,
        "roles": [_parse_role(text) for text in roles],
    }
    with _database(ctx).unit_of_work() as uow:
        try:
            user = user_service.create_user(values, Actor.system(Origin.CLI, "users-create"), uow)
        except DomainError as error:
            _fail(error)
    click.echo(f"Created user {user.username} (id {user.id}).")


def _parse_role(text: str) -> dict[str, Any]:
    """`regional_manager:region=3` → {"role": "regional_manager", "region_id": 3}."""
    role, _, target = text.partition(":")
    result: dict[str, Any] = {"role": role}
    if target:
        kind, _, value = target.partition("=")
        if kind not in {"region", "project"} or not value.isdigit():
            raise click.BadParameter(
                f"{text!r}: use role, role:region=ID or role:project=ID", param_hint="--role"
            )
        result[f"{kind}_id"] = int(value)
    return result


@main.group(invoke_without_command=True)
@click.option("--project", "project_ref", help="Project code or id: print its labels.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in AssetStatus]),
    help="Only assets in this status (repeatable; default: all).",
)
@click.option("--layout", type=click.Choice(list(LAYOUTS)), default="a4-3x8", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="PDF to write.")
@click.pass_context
def labels(
    ctx: click.Context, project_ref: str | None, statuses: tuple[str, ...], layout: str, out: Path | None
) -> None:  # fmt: skip
    """Print QR label sheets (PDF): labels --project P --out labels.pdf; check them: labels verify FILE."""
    if ctx.invoked_subcommand is not None:
        return
    if project_ref is None or out is None:
        raise click.UsageError("give --project and --out to print labels, or use `labels verify FILE`")
    from backend.field.services import labels as label_service

    app = ctx.find_object(ScriptInfo).load_app()  # type: ignore[union-attr]
    settings = label_service.LabelSettings.from_config(app.config)
    if settings.is_loopback:
        click.echo(
            f"warning: the labels will open {settings.base_url}, an address of this machine only: phones "
            "cannot reach it. Set PUBLIC_BASE_URL to the address phones use (e.g. https://lease.example.com).",
            err=True,
        )
    ref: int | str = int(project_ref) if project_ref.isdigit() else project_ref
    partial = out.with_name(out.name + ".part")
    with (
        _database(ctx).unit_of_work() as uow,
        click.progressbar(length=0, label="labels", file=sys.stderr) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            with partial.open("wb") as handle:
                count = label_service.print_sheet(
                    ref, statuses, layout, settings, Actor.system(Origin.CLI, "labels"), uow, handle, progress
                )
        except (DomainError, FontNotFound) as error:
            partial.unlink(missing_ok=True)
            if isinstance(error, FontNotFound):
                raise click.ClickException(str(error)) from None
            _fail(error)
    partial.replace(out)
    click.echo(f"Wrote {count} labels ({layout}) to {out}.")


@labels.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def verify_labels(ctx: click.Context, file: Path) -> None:
    """Decode every QR code in a PDF or image and check it: signature, known asset, no duplicates."""
    from backend.field.services import labels as label_service
    from qr_tools.verify import decode_file

    app = ctx.find_object(ScriptInfo).load_app()  # type: ignore[union-attr]
    settings = label_service.LabelSettings.from_config(app.config)
    codes = decode_file(file)
    with _database(ctx).unit_of_work() as uow:
        checks = label_service.verify_codes(codes, settings, Actor.system(Origin.CLI, "labels-verify"), uow)
    for check in checks:
        click.echo(check.describe())
    problems = sum(not check.ok for check in checks)
    click.echo(f"{len(checks)} codes, {len(checks) - problems} valid, {problems} with problems.")
    if problems or not checks:
        ctx.exit(1)


@main.group("import")
def import_() -> None:
    """Import existing data from spreadsheets."""


@import_.command("leases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Create the leases (all or nothing); default: preview only.")
@click.pass_context
def import_leases(ctx: click.Context, file: Path, commit: bool) -> None:
    """Check a lease file (.xlsx or .csv) row by row, and with --commit import it.

    It runs as the worker runs an import, here and now: rows are checked and staged in short transactions
    and moved in with one, so other commands are never kept waiting for long.
    """
    from backend.leasing.services import lease_import_jobs

    database = _database(ctx)
    actor = Actor.system(Origin.CLI, "import-leases")
    with database.unit_of_work() as uow:
        try:
            entry = lease_import_jobs.queue(
                file.read_bytes(), file.name, commit, actor, uow, datetime.now(UTC), wake=False
            )
        except DomainError as error:
            _fail(error)
        import_id = entry.id
    with click.progressbar(length=1, label=f"{'checking':<9}", file=sys.stderr) as bar:

        def progress(phase: str, done: int, total: int) -> None:
            bar.label = f"{phase:<9}"
            if bar.length != max(total, 1):
                bar.length, bar.pos = max(total, 1), 0
            bar.update(done - bar.pos)

        clock = partial(datetime.now, UTC)
        report = lease_import_jobs.run_import(import_id, database.unit_of_work, clock, progress, actor=actor)
    _print_import_report(report)
    if report.problems:
        ctx.exit(1)


def _print_import_report(report: Any) -> None:
    if report.problems:
        width = max(_width("column"), *(_width(problem.column) for problem in report.problems))
        click.echo(f"{'row':>5}  {_padded('column', width)}  problem")
        for problem in report.problems:
            click.echo(f"{problem.row:>5}  {_padded(problem.column or '-', width)}  {problem.message}")
    signed = sum(1 for lease in report.leases if lease.status == "signed")
    leases = f"{_count(len(report.leases), 'lease')} ({signed} signed)"
    if report.committed:
        click.echo(f"Imported {leases} from {_count(report.rows, 'row')}.")
    elif report.problems:
        problems = _count(len(report.problems), "problem")
        click.echo(f"{problems} in {_count(report.rows, 'row')}; nothing was imported.")
    else:
        click.echo(
            f"{_count(report.rows, 'row')} checked: {leases} would be created. Add --commit to import them."
        )


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _width(text: str) -> int:
    """Terminal columns a text takes: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


@import_.command("template")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("leases.xlsx"), show_default=True
)
def import_template(out: Path) -> None:
    """Write an empty lease import workbook: the headers and one example row."""
    from backend.adapters.spreadsheets import write_xlsx
    from backend.leasing.domain.lease_import import template_rows

    out.write_bytes(write_xlsx(template_rows(), "leases"))
    click.echo(f"Wrote {out}.")


@main.group()
def schedules() -> None:
    """Rent schedules."""


@schedules.command("dry-run")
@click.pass_context
def schedules_dry_run(ctx: click.Context) -> None:
    """Generate every live lease's schedule without writing; report each lease that would fail.

    Exits with status 1 when any lease would fail: run it weekly as a safety net.
    """

    from backend.leasing import jobs

    with _counting("leases") as progress:
        report = jobs.dry_run_schedules(_database(ctx).unit_of_work, _by_hand(), progress)
    for failure in report.failures:
        click.echo(
            f"FAIL  {failure.number} (lease {failure.lease_id}, project {failure.project_id}): "
            f"{failure.reason}"
        )
    click.echo(
        f"{report.checked} leases checked, {len(report.failures)} would fail (job run {report.job_run_id})."
    )
    if report.failures:
        ctx.exit(1)


@main.group()
def leases() -> None:
    """Leases."""


@leases.command("advance")
@click.pass_context
def leases_advance(ctx: click.Context) -> None:
    """Move leases along their lifecycle as of today: activate, flag expiring, end (run daily)."""

    from backend.leasing import jobs

    report = jobs.advance_leases(_database(ctx).unit_of_work, _by_hand())
    for move, count in sorted(report.moved.items()):
        click.echo(f"{move}: {count}")
    for number, reason in report.failures:
        click.echo(f"FAIL  {number}: {reason}")
    click.echo(f"{sum(report.moved.values())} leases moved (job run {report.job_run_id}).")
    if report.failures:
        ctx.exit(1)


@main.group()
def checklists() -> None:
    """Inspection checklists."""


@checklists.command("seed")
@click.pass_context
def checklists_seed(ctx: click.Context) -> None:
    """Install the default checklist of each asset type (Chinese and English labels); safe to re-run."""
    from backend.field.services import inspections

    with _database(ctx).unit_of_work() as uow:
        report = inspections.seed_checklists(Actor.system(Origin.CLI, "checklists-seed"), uow)
    click.echo(f"{len(report.installed)} checklists installed, {len(report.skipped)} already present.")


@main.group()
def requests() -> None:
    """Field status change requests."""


@requests.command("expire")
@click.pass_context
def requests_expire(ctx: click.Context) -> None:
    """Expire pending status change requests whose time ran out (run hourly); recorded as a job run."""

    from backend.field import jobs

    run = jobs.expire_requests(_database(ctx).unit_of_work, _by_hand())
    click.echo(f"{run.details['expired']} requests expired (job run {run.id}).")


@main.group("sync")
def sync_group() -> None:
    """The offline sync change log."""


@sync_group.command("prune")
@click.option(
    "--keep-days",
    type=click.IntRange(min=7),
    default=sync_jobs.KEEP_DAYS,
    show_default=True,
    help="Days of changes to keep.",
)
@click.pass_context
def sync_prune(ctx: click.Context, keep_days: int) -> None:
    """Delete old change-log rows (run daily); phones that pulled before them download their scope again."""

    def progress(removed: int) -> None:
        click.echo(f"  {removed:,} rows removed …", err=True)

    run = sync_jobs.prune_change_log(_database(ctx).unit_of_work, _by_hand(), keep_days, progress)
    details = run.details
    click.echo(
        f"{details['removed']:,} change-log rows older than {keep_days} days removed; "
        f"cursors up to {details['horizon']} must start over (job run {run.id})."
    )


@main.command()
@click.option(
    "--poll", default=5.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds between looks."
)
@click.option("--once", is_flag=True, help="Run what is due now (catching up missed slots), then exit.")
@click.pass_context
def worker(ctx: click.Context, poll: float, once: bool) -> None:
    """Run scheduled jobs on time and deliver notifications; start as many as you like on PostgreSQL."""
    import signal

    from backend.worker import Worker, scheduled_jobs

    app = ctx.find_object(ScriptInfo).load_app()  # type: ignore[union-attr]
    database = app.extensions["leasekeeper.db"]
    outbox = app.extensions["leasekeeper.outbox"]
    runner = Worker(
        database.unit_of_work,
        scheduled_jobs(),
        bookkeeping=partial(database.unit_of_work, writes=True),
        poll_seconds=poll,
        deliver=outbox.deliver_due,
    )
    if once:
        for outcome in runner.run_due():
            click.echo(_outcome_line(outcome))
        sent = outbox.deliver_due()
        click.echo(f"{sent} deliveries attempted.")
        return

    def stop(signum: int, _frame: Any) -> None:
        click.echo(f"worker: signal {signum}, finishing the current job and stopping", err=True)
        runner.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(
        f"LeaseKeeper worker {runner.name}: {len(runner.jobs)} scheduled jobs and notification delivery."
    )
    runner.serve()
    outbox.shutdown()


def _outcome_line(outcome: Any) -> str:
    state = outcome.state.value if outcome.state else "taken over by another worker"
    return f"{outcome.job:<20} {outcome.slot_at.isoformat()}  {state}  (job run {outcome.run_id})"


@main.group()
def jobs() -> None:
    """Scheduled jobs and their runs."""


@jobs.command("list")
@click.option(
    "--runs", default=20, show_default=True, type=click.IntRange(0, 500), help="Recent runs to show."
)
@click.pass_context
def jobs_list(ctx: click.Context, runs: int) -> None:
    """Every scheduled job (schedule, next slot, slot states) and the most recent runs."""
    from backend.core.domain.listing import ListQuery, SortKey
    from backend.core.services import jobs as job_service
    from backend.worker import overview, scheduled_jobs

    database = _database(ctx)
    declared = scheduled_jobs()
    click.echo(f"{'JOB':<20} {'SCHEDULE':<14} {'ZONE':<16} {'NEXT (UTC)':<20} SLOTS")
    for item in overview(database.unit_of_work, declared):
        spec = item.spec
        zone = "each project" if spec.per_project else spec.timezone
        next_at = item.next_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if item.next_at else "-"
        states = ", ".join(f"{state} {count}" for state, count in item.counts.items() if count) or "none yet"
        click.echo(f"{spec.name:<20} {spec.cron:<14} {zone:<16} {next_at:<20} {states}")
    click.echo(f"{'deliveries':<20} {'continuous':<14} {'-':<16} {'-':<20} {_outbox_counts(ctx)}")
    if not runs:
        return
    click.echo("")
    click.echo(f"{'RUN':>6} {'JOB':<22} {'STATUS':<10} {'STARTED (UTC)':<20} {'WORKER':<24} RESULT")
    query = ListQuery({}, (SortKey("started_at", descending=True),), 1, runs)
    with database.unit_of_work() as uow:
        found, _total = job_service.list_runs(query, Actor.system(Origin.CLI, "jobs-list"), uow)
        for run in found:
            started = run.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            name = run.job or run.kind.value
            click.echo(
                f"{run.id:>6} {name:<22} {run.status.value:<10} {started:<20} {run.worker or '-':<24} "
                f"{_run_result(run)}"
            )


def _outbox_counts(ctx: click.Context) -> str:
    from backend.notify.services import outbox

    with _database(ctx).unit_of_work() as uow:
        counts = outbox.counts(uow)
    return ", ".join(f"{state} {count}" for state, count in counts.items() if count) or "none yet"


def _run_result(run: Any) -> str:
    if run.reason:
        return str(run.reason)[:80]
    return json.dumps(run.details or {}, ensure_ascii=False, separators=(",", ":"))[:80]


@jobs.command("show")
@click.argument("run_id", type=int)
@click.pass_context
def jobs_show(ctx: click.Context, run_id: int) -> None:
    """One job run in full: its job and slot, times, worker, outcome and details."""
    from backend.core.services import jobs as job_service

    with _database(ctx).unit_of_work() as uow:
        try:
            run = job_service.get_run(run_id, Actor.system(Origin.CLI, "jobs-show"), uow)
        except DomainError as error:
            _fail(error)
        lines = {
            "run": run.id,
            "job": run.job or run.kind.value,
            "status": run.status.value,
            "slot": run.slot_at.isoformat() if run.slot_at else "-",
            "attempt": run.attempt or 1,
            "worker": run.worker or "-",
            "project": run.project_id or "-",
            "started": run.started_at.isoformat(),
            "finished": run.finished_at.isoformat() if run.finished_at else "-",
            "retry of": run.retry_of_id or "-",
            "error": run.reason or "-",
        }
        for label, value in lines.items():
            click.echo(f"{label:<10} {value}")
        if run.details:
            click.echo("details")
            click.echo(json.dumps(run.details, ensure_ascii=False, indent=2, default=str))


@jobs.command("retry")
@click.argument("run_id", type=int)
@click.option("--here", is_flag=True, help="Run it in this process now instead of leaving it to the workers.")
@click.pass_context
def jobs_retry(ctx: click.Context, run_id: int, here: bool) -> None:
    """Run a failed job run again: its slot is due at once for the workers (or, with --here, run now)."""
    from backend.core.services import jobs as job_service
    from backend.worker import Worker, scheduled_jobs

    database = _database(ctx)
    with database.unit_of_work() as uow:
        try:
            run = job_service.retry(run_id, Actor.system(Origin.CLI, "jobs-retry"), uow, datetime.now(UTC))
        except DomainError as error:
            _fail(error)
        scheduled = run.slot_id is not None
    if not scheduled:
        click.echo(f"Run {run_id} was retried.")
        return
    if not here:
        click.echo(f"Run {run_id} is due again; a worker runs it within seconds (leasekeeper jobs list).")
        return
    books = partial(database.unit_of_work, writes=True)
    for outcome in Worker(database.unit_of_work, scheduled_jobs(), bookkeeping=books).run_due():
        click.echo(_outcome_line(outcome))


if __name__ == "__main__":
    main()


@main.group()
def reminders() -> None:
    """Critical-date reminders: run the engine, explain a lease's reminders."""


@reminders.command("run")
@click.option("--project", "project_code", help="Only this project (its code); default every project.")
@click.option("--at", "at", help="Run as of this instant (ISO 8601, e.g. 2026-12-01T02:00+08:00).")
@click.pass_context
def reminders_run(ctx: click.Context, project_code: str | None, at: str | None) -> None:
    """Run the reminder engine now (the worker runs it at 02:00 in each project); safe to repeat."""
    from backend.reminders import jobs

    moment = _instant(at)
    database = _database(ctx)
    with database.unit_of_work() as uow:
        project_id = _project_id(uow, project_code)
    with _counting("projects") as progress:
        details = jobs.run_reminders(database.unit_of_work, JobContext.by_hand(moment, project_id), progress)
    for name, value in details.items():
        if name != "errors":
            click.echo(f"{name}: {value}")
    errors = details["errors"]
    assert isinstance(errors, list)
    for error in errors:
        click.echo(f"FAIL  {error['lease']}: {error['message']}")
    if errors:
        ctx.exit(1)


@reminders.command("explain")
@click.argument("lease_number")
@click.option("--kind", "kind", help="Only this date kind (lease_end, renewal_notice, …).")
@click.option("--locale", "locale", default="en", show_default=True, help="en or zh_CN.")
@click.option("--at", "at", help="Explain as of this instant (ISO 8601); default now.")
@click.pass_context
def reminders_explain(
    ctx: click.Context, lease_number: str, kind: str | None, locale: str, at: str | None
) -> None:
    """Why a lease's reminders did or did not go: each date, tier, day, recipient, delivery and reason."""
    from flask_babel import force_locale, gettext

    from backend.reminders.services import explain

    database = _database(ctx)
    actor = Actor.system(Origin.CLI, "reminders-explain")
    with database.unit_of_work() as uow:
        found = uow.leases.by_values("number", [lease_number.strip()], actor.scope_for(Permission.LEASE_READ))
        if not found:
            raise click.ClickException(f"No lease numbered {lease_number}.")
        try:
            story = explain.explain(next(iter(found.values())).id, kind, actor, uow, _instant(at))
        except DomainError as error:
            _fail(error)
        with ctx.find_object(ScriptInfo).load_app().test_request_context(), force_locale(locale):  # type: ignore[union-attr]
            for line in _explanation_lines(story, gettext):
                click.echo(line)


def _explanation_lines(story: dict[str, Any], translate: Any) -> list[str]:
    """An explanation as lines of text, its messages in the current language."""

    key, inner = "template", "message"

    def text(value: Any) -> Any:
        if isinstance(value, dict):
            return translate(value[inner])
        if isinstance(value, list):
            return ", ".join(str(text(item)) for item in value)
        return value

    def message(reason: dict[str, Any]) -> str:
        template = str(translate(reason[key]))
        params = {name: text(value) for name, value in reason["params"].items()}
        return template % params if params else template

    lease = story["lease"]
    lines = [
        f"{lease['number']}  {lease['project_name']}  {lease['status']}  ends {lease['ends_on']}"
        f"  template {lease['template_name']}  (today {story['today']})"
    ]
    for tag in story["tags"]:
        by = tag["set_by"]["name"] if tag["set_by"] else "—"
        lines.append(f"  tag {tag['tag']!r}: {tag['state']}, {tag['source']} by {by}")
    lines += [f"  ! {message(w)}" for w in story["warnings"]]
    for item in story["dates"]:
        lines.append(f"{item['date_kind']} {item['date']} ({item['source']}, rules: {item['rules']})")
        for tier in item["tiers"]:
            rolled = f" (rolled from {tier['nominal_on']})" if tier["rolled"] else ""
            lines.append(
                f"  tier {tier['tier']}/{tier['tier_count']} {tier['days_before']}d"
                f" → {tier['fire_on']}{rolled}"
                f"  {', '.join(tier['roles'])}  [{', '.join(tier['channels']) or 'inbox'}]  {tier['state']}"
            )
            for person in tier["recipients"]:
                channels = ", ".join(f"{d['channel']}:{d['state']}" for d in person["deliveries"])
                late = " late" if person["late"] else ""
                lines.append(
                    f"    → {person['user']['name']} task {person['task_id']}"
                    f" {person['task_state']}{late}  {channels}"
                )
            lines += [f"    · {message(reason)}" for reason in tier["reasons"]]
    return lines


def _instant(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 instant: {text}", param_hint="--at") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _project_id(uow: Any, code: str | None) -> int | None:
    if code is None:
        return None
    found = uow.projects.by_values(
        "code", [code], Actor.system(Origin.CLI).scope_for(Permission.PROJECT_READ)
    )
    if not found:
        raise click.ClickException(f"No project with code {code}.")
    return int(next(iter(found.values())).id)
