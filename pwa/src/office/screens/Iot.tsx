/**
 * The signals' flags in my scope, and the consistency audit: its runs (run now, followed until done), one
 * run's rates overall, per region and per project against last month, its findings with the rows behind
 * them and the report to download, and my audit tasks.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { AuditTasks, findingColumns } from "../components/AuditTasks";
import { Choose, choices } from "../components/Choose";
import { DataGrid } from "../components/DataGrid";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { useOptions } from "../components/Options";
import { instant } from "../format";
import { useResource } from "../hooks";
import {
  FINDING_KINDS,
  FLAG_KINDS,
  FLAG_STATES,
  auditView,
  confidenceText,
  findingsQuery,
  flagWindow,
  named,
  rateChange,
  rateText,
  reportHref,
  runProgress,
  stillRunning,
  type AuditAnswer,
  type AuditDetail as Detail,
  type AuditRun,
  type Finding,
  type Flag,
  type RateRow,
} from "../iot";
import { monthLabel } from "../portfolio";
import { can } from "../session";
import { useQueryState } from "../urlstate";

const POLL_MS = 2000;

// --- flags -------------------------------------------------------------------------------------------------

export function IotFlags() {
  const [filters, setFilters] = useQueryState(["kind", "state", "project_id"]);
  const projects = useOptions("/api/projects");
  const state = filters.state || "open";
  const columns: ColumnDef<Flag, unknown>[] = [
    {
      id: "asset",
      header: () => t("office.lease.asset"),
      meta: { className: "nowrap" },
      cell: ({ row }) => (
        <a href={`/office/assets/${row.original.asset_id}#flags`} data-testid="flag-asset">
          {row.original.asset_code}
        </a>
      ),
    },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => row.original.project_code },
    { id: "kind", header: () => t("office.iot.kind"), cell: ({ row }) => <span data-testid="flag-kind">{named("flagKind", row.original.kind)}</span> },
    {
      id: "state",
      header: () => t("office.iot.state"),
      cell: ({ row }) => (
        <span class={`chip chip-flag-${row.original.state}`} data-testid="flag-state">
          {named("flagState", row.original.state)}
        </span>
      ),
    },
    { id: "confidence", header: () => t("office.iot.confidence"), meta: { className: "num" }, cell: ({ row }) => confidenceText(row.original.confidence) },
    { id: "window", header: () => t("office.iot.windowTitle"), meta: { className: "nowrap" }, cell: ({ row }) => flagWindow(row.original) },
    { id: "summary", header: () => t("office.iot.summary"), cell: ({ row }) => row.original.summary },
    { id: "raised_at", header: () => t("office.iot.raisedAt"), meta: { className: "nowrap" }, cell: ({ row }) => instant(row.original.raised_at) },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.iotFlags")}</h1>
      <p class="hint">{t("office.iot.flagsHint")}</p>
      <form class="filters" onSubmit={(event) => event.preventDefault()} role="search">
        <label>
          {t("office.iot.kind")}
          <Choose testId="flags-kind" value={filters.kind} options={choices([...FLAG_KINDS], (kind) => named("flagKind", kind))} empty={t("office.filter.all")} onChange={(value) => setFilters({ kind: value })} />
        </label>
        <label>
          {t("office.iot.state")}
          <select data-testid="flags-state" value={state} onChange={(e) => setFilters({ state: (e.target as HTMLSelectElement).value })}>
            {FLAG_STATES.map((value) => (
              <option key={value} value={value}>
                {named("flagState", value)}
              </option>
            ))}
            <option value="all">{t("office.filter.all")}</option>
          </select>
        </label>
        <label>
          {t("office.lease.project")}
          <Choose testId="flags-project" value={filters.project_id} options={projects} empty={t("office.filter.all")} onChange={(value) => setFilters({ project_id: value })} />
        </label>
      </form>
      <DataGrid<Flag>
        endpoint="/api/iot/flags"
        params={{ kind: filters.kind, state: state === "all" ? undefined : state, project_id: filters.project_id }}
        columns={columns}
        testId="flags"
        caption={t("office.nav.iotFlags")}
        empty={t("office.iot.noFlagsHere")}
      />
    </section>
  );
}

// --- runs --------------------------------------------------------------------------------------------------

function RunState({ run }: { run: Pick<AuditRun, "state" | "error" | "done" | "total"> }) {
  const { done, total } = runProgress(run);
  return (
    <>
      <span class={`chip chip-${run.state === "done" ? "succeeded" : run.state === "failed" ? "failed" : "pending"}`} data-testid="run-state" data-state={run.state}>
        {named("runState", run.state)}
      </span>
      {stillRunning(run) ? (
        <>
          {" "}
          <progress max={total || 1} value={done} aria-label={t("office.iot.progress")} data-testid="run-progress">
            {done} / {total}
          </progress>{" "}
          <span data-testid="run-progress-text">{t("office.iot.progressText", { done, total })}</span>
        </>
      ) : null}
      {run.state === "failed" && run.error ? (
        <span class="error" data-testid="run-error">
          {" "}
          {run.error}
        </span>
      ) : null}
    </>
  );
}

/** A run followed until it ends: its state asked again every two seconds while queued or running. */
function useRun(id: number | string | null): { run: Detail | null; error: unknown } {
  const found = useResource<AuditAnswer>(id === null ? null : `/api/iot/audits/${id}`);
  const run = found.data ? auditView(found.data) : null;
  useEffect(() => {
    if (!stillRunning(run)) return;
    const timer = setTimeout(found.reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [found.data]);
  return { run, error: found.error };
}

function StartedRun({ id, onEnded }: { id: number; onEnded: () => void }) {
  const { run, error } = useRun(id);
  const ended = run && !stillRunning(run);
  useEffect(() => {
    if (ended) onEnded();
  }, [ended]);
  if (error) return <ErrorPanel error={error} />;
  if (!run) return null;
  return (
    <div class="panel notice" role="status" data-testid="started-run" data-state={run.state}>
      <p>
        {t("office.iot.startedRun", { period: monthLabel(run.period) })} <RunState run={run} />
      </p>
      {run.state === "done" ? (
        <a href={`/office/audits/${run.id}`} data-testid="started-run-open">
          {t("office.iot.openRun")}
        </a>
      ) : null}
    </div>
  );
}

export function Audits() {
  const [state, setState] = useQueryState(["tab"]);
  const tab = state.tab === "tasks" ? "tasks" : "runs";
  return (
    <section class="page" data-testid="audits-page">
      <h1>{t("office.nav.audits")}</h1>
      <p class="hint">{t("office.iot.auditHint")}</p>
      <div class="tabs" role="tablist" aria-label={t("office.nav.audits")}>
        <button type="button" role="tab" id="tab-runs" aria-controls="panel-runs" aria-selected={tab === "runs"} data-testid="tab-runs" onClick={() => setState({ tab: "" })}>
          {t("office.iot.runsTab")}
        </button>
        <button type="button" role="tab" id="tab-tasks" aria-controls="panel-tasks" aria-selected={tab === "tasks"} data-testid="tab-tasks" onClick={() => setState({ tab: "tasks" })}>
          {t("office.iot.myAuditTasks")}
        </button>
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "runs" ? <Runs /> : <AuditTasks />}
      </div>
    </section>
  );
}

function Runs() {
  const runs = useResource<AuditRun[]>("/api/iot/audits");
  const [started, setStarted] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const rows = runs.data ?? [];
  // Runs queued or running (by the month's schedule or someone else): the list again every two seconds.
  useEffect(() => {
    if (!rows.some((run) => stillRunning(run))) return;
    const timer = setTimeout(runs.reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [runs.data]);
  const runNow = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const made = await api<AuditRun>("/api/iot/audits", { method: "POST" });
      setStarted(made.id);
      runs.reload();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {can("asset:write") ? (
        <div class="actions">
          <button type="button" class="primary" data-testid="audit-run-now" disabled={busy || stillRunning(rows.find((run) => run.id === started))} onClick={() => void runNow()}>
            {t("office.iot.runNow")}
          </button>
          <span class="hint">{t("office.iot.runNowHint")}</span>
        </div>
      ) : null}
      {problem ? (
        <div class="panel panel-error" role="alert" data-testid="audit-run-error">
          {problem}
        </div>
      ) : null}
      {started !== null ? <StartedRun key={started} id={started} onEnded={runs.reload} /> : null}
      {runs.error ? <ErrorPanel error={runs.error} /> : null}
      <div class="grid">
        <div class="grid-scroll" tabIndex={0}>
          <table data-testid="audit-runs">
            <caption class="sr-only">{t("office.iot.runsTab")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.portfolio.period")}</th>
                <th scope="col">{t("office.iot.triggerTitle")}</th>
                <th scope="col">{t("office.iot.requested")}</th>
                <th scope="col">{t("office.iot.finished")}</th>
                <th scope="col">{t("office.iot.state")}</th>
                <th scope="col">
                  <span class="sr-only">{t("office.iot.openRun")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((run) => (
                <tr key={run.id} data-testid={`audit-run-${run.id}`} data-state={run.state}>
                  <td>{monthLabel(run.period)}</td>
                  <td>{named("trigger", run.trigger)}</td>
                  <td class="nowrap">{instant(run.created_at)}</td>
                  <td class="nowrap">{instant(run.finished_at)}</td>
                  <td>
                    <RunState run={run} />
                  </td>
                  <td>
                    {run.state === "done" ? (
                      <a href={`/office/audits/${run.id}`} data-testid="audit-run-open">
                        {t("office.iot.openRun")}
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
              {runs.data && rows.length === 0 ? (
                <tr>
                  <td colSpan={6} class="empty">
                    {t("office.iot.noRuns")}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}

// --- one run -----------------------------------------------------------------------------------------------

function Rate({ row, testId, stacked = false }: { row: RateRow; testId: string; stacked?: boolean }) {
  const found = rateChange(row.rate, row.previous_rate);
  return (
    <>
      <span data-testid={`${testId}-rate`} data-value={row.rate ?? ""}>
        {rateText(row.rate)}
      </span>{" "}
      <span
        class={`kpi-change${found.tone ? ` ${found.tone}` : ""}${stacked ? " stacked" : ""}`}
        data-testid={`${testId}-change`}
        data-delta={found.delta ?? ""}
        title={row.previous_rate === null ? t("office.iot.noPrevious") : t("office.iot.previousRate", { rate: rateText(row.previous_rate) })}
      >
        {found.delta === null ? t("office.iot.noPreviousShort") : `${found.text} ${t(`office.iot.tone.${found.tone ?? "flat"}`)}`}
      </span>
    </>
  );
}

export function AuditDetail({ params }: { params: Record<string, string> }) {
  const [filters, setFilters] = useQueryState(["kind", "project_id", "region_id"]);
  const { run, error } = useRun(params.id);
  if (error) return <ErrorPanel error={error} />;
  if (!run) return <p class="loading">{t("app.loading")}</p>;
  const done = run.state === "done";
  const known: readonly string[] = FINDING_KINDS;
  const kinds = [...known, ...Object.keys(run.kinds ?? {}).filter((kind) => !known.includes(kind))].filter((kind) => (run.kinds?.[kind] ?? 0) > 0);
  const regions = run.regions ?? [];
  const projects = (run.projects ?? []).filter((project) => !filters.region_id || String(project.region_id) === filters.region_id);
  const columns: ColumnDef<Finding, unknown>[] = findingColumns();
  return (
    <section class="page" data-testid="audit-detail" data-state={run.state}>
      <div class="page-head">
        <h1>
          {t("office.iot.runTitle", { period: monthLabel(run.period) })} <RunState run={run} />
        </h1>
        <a href="/office/audits">{t("office.iot.backToRuns")}</a>
      </div>
      <p class="hint">
        {named("trigger", run.trigger)} · {t("office.iot.ranFromTo", { from: instant(run.started_at), to: instant(run.finished_at) })}
      </p>
      {done ? (
        <div class="actions">
          <a class="button-like" href={reportHref(run.id, "xlsx")} data-testid="audit-xlsx" download>
            {t("office.iot.xlsx")}
          </a>
          <a class="button-like" href={reportHref(run.id, "pdf")} data-testid="audit-pdf" download>
            {t("office.iot.pdf")}
          </a>
        </div>
      ) : null}
      {done ? (
        <>
          <div class="tiles kpi-tiles">
            <div class="tile kpi-tile" data-testid="audit-overall">
              <span class="tile-title">{t("office.iot.overallRate")}</span>
              <span class="tile-count">
                <Rate row={run} testId="overall" stacked />
              </span>
              <span class="hint" data-testid="overall-counts">
                {t("office.iot.disagreeingOf", { disagreeing: run.disagreeing, assets: run.assets })}
              </span>
            </div>
            <div class="tile kpi-tile audit-kinds" data-testid="audit-kinds">
              <span class="tile-title">{t("office.iot.byKind")}</span>
              {kinds.length === 0 ? (
                <span class="hint">{t("office.iot.noFindings")}</span>
              ) : (
                <ul class="inline-list">
                  {kinds.map((kind) => (
                    <li key={kind}>
                      <button type="button" class="link" aria-pressed={filters.kind === kind} data-testid={`kind-${kind}`} onClick={() => setFilters({ kind: filters.kind === kind ? "" : kind })}>
                        {named("findingKind", kind)}
                      </button>{" "}
                      <span class="num" data-testid={`kind-${kind}-count`}>
                        {run.kinds[kind]}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
          <div class="chart-grid">
            <RateTable
              title={t("office.iot.byRegion")}
              testId="audit-regions"
              rows={regions.map((region) => ({ key: String(region.region_id), label: region.region_name, row: region }))}
              selected={filters.region_id}
              onSelect={(key) => setFilters({ region_id: key, project_id: "" })}
            />
            <RateTable
              title={t("office.iot.byProject")}
              testId="audit-projects"
              rows={projects.map((project) => ({ key: String(project.project_id), label: `${project.project_name} (${project.project_code})`, row: project }))}
              selected={filters.project_id}
              onSelect={(key) => setFilters({ project_id: key })}
            />
          </div>
          <h2>{t("office.iot.findingsTitle")}</h2>
          <form class="filters" onSubmit={(event) => event.preventDefault()} role="search">
            <label>
              {t("office.iot.findingKindTitle")}
              <Choose testId="findings-kind" value={filters.kind} options={choices([...FINDING_KINDS], (kind) => named("findingKind", kind))} empty={t("office.filter.all")} onChange={(value) => setFilters({ kind: value })} />
            </label>
            <label>
              {t("office.portfolio.region")}
              <Choose
                testId="findings-region"
                value={filters.region_id}
                options={regions.map((region) => ({ value: String(region.region_id), label: region.region_name }))}
                empty={t("office.filter.all")}
                onChange={(value) => setFilters({ region_id: value, project_id: "" })}
              />
            </label>
            <label>
              {t("office.lease.project")}
              <Choose
                testId="findings-project"
                value={filters.project_id}
                options={projects.map((project) => ({ value: String(project.project_id), label: `${project.project_code} · ${project.project_name}` }))}
                empty={t("office.filter.all")}
                onChange={(value) => setFilters({ project_id: value })}
              />
            </label>
          </form>
          <DataGrid<Finding>
            endpoint={`/api/iot/audits/${run.id}/findings`}
            params={findingsQuery(filters)}
            columns={columns}
            testId="findings"
            caption={t("office.iot.findingsTitle")}
            empty={t("office.iot.noFindings")}
          />
        </>
      ) : run.state === "failed" ? null : (
        <p class="loading">{t("office.iot.stillRunning")}</p>
      )}
    </section>
  );
}

function RateTable(props: { title: string; testId: string; rows: { key: string; label: string; row: RateRow }[]; selected: string; onSelect: (key: string) => void }) {
  return (
    <div class="panel">
      <h2>{props.title}</h2>
      <div class="grid-scroll" tabIndex={0}>
        <table data-testid={props.testId}>
          <caption class="sr-only">{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{props.title}</th>
              <th scope="col" class="num">
                {t("office.iot.assets")}
              </th>
              <th scope="col" class="num">
                {t("office.iot.disagreeing")}
              </th>
              <th scope="col">{t("office.iot.rateAndChange")}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(({ key, label, row }) => (
              <tr key={key} class={props.selected === key ? "selected" : undefined} data-testid={`${props.testId}-${key}`}>
                <th scope="row">
                  <button type="button" class="link" aria-pressed={props.selected === key} onClick={() => props.onSelect(props.selected === key ? "" : key)}>
                    {label}
                  </button>
                </th>
                <td class="num">{row.assets}</td>
                <td class="num">{row.disagreeing}</td>
                <td class="nowrap">
                  <Rate row={row} testId={`${props.testId}-${key}`} />
                </td>
              </tr>
            ))}
            {props.rows.length === 0 ? (
              <tr>
                <td colSpan={4} class="empty">
                  {t("office.portfolio.noGroups")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}

