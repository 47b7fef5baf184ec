/** Expected vacancies per project (30, 60, 90 days, with the assumptions) and the monthly portfolio reports. */
import { useEffect, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { query } from "../components/DataGrid";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { day, instant, today } from "../format";
import { useResource } from "../hooks";
import { FILTERS, monthLabel, plain, progressOf, reportFile, stillRunning, sumDecimals, vacatingLease, type ReportRun, type VacatingLease } from "../portfolio";
import { useQueryState } from "../urlstate";
import { ScopeFilters } from "./Portfolio";

interface VacancyWindow {
  units: number | null;
  area_m2: string | null;
  leases: VacatingLease[] | null;
}

interface ProjectVacancies {
  project_id: number;
  project_name: string;
  region_name?: string | null;
  within_30?: VacancyWindow | null;
  within_60?: VacancyWindow | null;
  within_90?: VacancyWindow | null;
}

interface Vacancies {
  as_of: string;
  assumptions: string[] | null;
  projects: ProjectVacancies[] | null;
}

const WINDOWS = [30, 60, 90] as const;

function windowOf(project: ProjectVacancies, days: (typeof WINDOWS)[number]): VacancyWindow | null | undefined {
  return project[`within_${days}`];
}

function Leases({ leases }: { leases: VacatingLease[] | null | undefined }) {
  if (!leases?.length) return <>—</>;
  return (
    <ul class="inline-list">
      {leases.map((lease, index) => {
        const found = vacatingLease(lease);
        return (
          <li key={index}>
            <a href={found.href} data-testid="vacating-lease" title={found.endsOn ? day(found.endsOn) : undefined}>
              {found.label}
            </a>
            {found.terminated ? <span class="hint"> ({t("office.portfolio.vacancy.terminated")})</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

export function PortfolioVacancies() {
  const [state, setState] = useQueryState([...FILTERS]);
  const filters = Object.fromEntries(FILTERS.map((name) => [name, state[name] || undefined]));
  const found = useResource<Vacancies>(`/api/portfolio/expected-vacancies${query(filters)}`);
  const data = found.data;
  const projects = data?.projects ?? [];
  return (
    <section class="page" data-testid="vacancies-page" aria-busy={found.loading}>
      <div class="page-head">
        <h1>{t("office.nav.vacancies")}</h1>
        {data ? <span class="hint">{t("office.portfolio.vacancy.asOf", { day: day(data.as_of) })}</span> : null}
      </div>
      <form class="filters" onSubmit={(event) => event.preventDefault()} role="search">
        <ScopeFilters values={state} onChange={setState} />
      </form>
      {found.error ? <ErrorPanel error={found.error} /> : null}
      {!data ? (
        found.error ? null : <p class="loading">{t("app.loading")}</p>
      ) : (
        <>
          {data.assumptions?.length ? (
            <div class="panel" data-testid="assumptions">
              <h2>{t("office.portfolio.vacancy.assumptions")}</h2>
              <ul>
                {data.assumptions.map((text, index) => (
                  <li key={index}>{text}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <div class="grid">
            <div class="grid-scroll" tabIndex={0}>
              <table data-testid="vacancies">
                <caption class="sr-only">{t("office.nav.vacancies")}</caption>
                <thead>
                  <tr>
                    <th scope="col" rowSpan={2}>
                      {t("office.lease.project")}
                    </th>
                    <th scope="col" rowSpan={2}>
                      {t("office.portfolio.vacancy.region")}
                    </th>
                    {WINDOWS.map((days) => (
                      <th scope="colgroup" colSpan={3} key={days}>
                        {t("office.portfolio.vacancy.within", { days })}
                      </th>
                    ))}
                  </tr>
                  <tr>
                    {WINDOWS.map((days) => [
                      <th scope="col" class="num" key={`${days}-units`}>
                        {t("office.portfolio.vacancy.units")}
                      </th>,
                      <th scope="col" class="num" key={`${days}-area`}>
                        {t("office.portfolio.vacancy.area")}
                      </th>,
                      <th scope="col" key={`${days}-leases`}>
                        {t("office.portfolio.vacancy.leases")}
                      </th>,
                    ])}
                  </tr>
                </thead>
                <tbody>
                  {projects.map((project) => (
                    <tr key={project.project_id} data-testid={`vacancy-${project.project_id}`}>
                      <th scope="row">{project.project_name}</th>
                      <td>{project.region_name ?? "—"}</td>
                      {WINDOWS.map((days) => {
                        const found = windowOf(project, days);
                        return [
                          <td class="num" key={`${days}-units`} data-testid={`vacancy-${project.project_id}-${days}-units`}>
                            {found?.units ?? 0}
                          </td>,
                          <td class="num" key={`${days}-area`}>
                            {plain(found?.area_m2 ?? "0")}
                          </td>,
                          <td key={`${days}-leases`}>
                            <Leases leases={found?.leases} />
                          </td>,
                        ];
                      })}
                    </tr>
                  ))}
                  {projects.length === 0 ? (
                    <tr>
                      <td colSpan={2 + WINDOWS.length * 3} class="empty">
                        {t("office.portfolio.noGroups")}
                      </td>
                    </tr>
                  ) : (
                    <tr class="sum">
                      <th scope="row" colSpan={2}>
                        {t("office.board.total")}
                      </th>
                      {WINDOWS.map((days) => [
                        <td class="num" key={`${days}-units`} data-testid={`vacancy-total-${days}-units`}>
                          {projects.reduce((sum, project) => sum + (windowOf(project, days)?.units ?? 0), 0)}
                        </td>,
                        <td class="num" key={`${days}-area`}>
                          {plain(sumDecimals(projects.map((project) => windowOf(project, days)?.area_m2)))}
                        </td>,
                        <td key={`${days}-leases`}>{projects.reduce((sum, project) => sum + (windowOf(project, days)?.leases?.length ?? 0), 0)}</td>,
                      ])}
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

// --- reports -----------------------------------------------------------------------------------------------

const POLL_MS = 2000;

export function PortfolioReports() {
  const reports = useResource<ReportRun[]>("/api/portfolio/reports");
  const [period, setPeriod] = useState(today().slice(0, 7));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  // While a report is queued or running, the list again every two seconds; none: no more requests.
  useEffect(() => {
    if (!stillRunning(reports.data)) return;
    const timer = setTimeout(reports.reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [reports.data]);

  const generate = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      const made = await api<ReportRun>("/api/portfolio/reports", { method: "POST", json: { period } });
      setNotice(t("office.portfolio.report.queuedNow", { period: monthLabel(made?.period ?? period) }));
      reports.reload();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const rows = reports.data ?? [];
  return (
    <section class="page" data-testid="reports-page">
      <h1>{t("office.nav.reports")}</h1>
      <form class="filters" onSubmit={(event) => void generate(event)} data-testid="report-form">
        <label>
          {t("office.portfolio.report.period")}
          <input type="month" data-testid="report-period" value={period} required onChange={(event) => setPeriod((event.target as HTMLInputElement).value)} />
        </label>
        <div class="filter-actions">
          <button type="submit" class="primary" data-testid="report-generate" disabled={busy || !period}>
            {t("office.portfolio.report.generate")}
          </button>
        </div>
      </form>
      {problem ? (
        <div class="panel panel-error" role="alert" data-testid="report-error">
          {problem}
        </div>
      ) : null}
      {notice ? (
        <p role="status" data-testid="report-notice">
          {notice}
        </p>
      ) : null}
      {reports.error ? <ErrorPanel error={reports.error} /> : null}
      <div class="grid">
        <div class="grid-scroll" tabIndex={0}>
          <table data-testid="reports">
            <caption class="sr-only">{t("office.portfolio.report.list")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.portfolio.period")}</th>
                <th scope="col">{t("office.portfolio.report.requested")}</th>
                <th scope="col">{t("office.portfolio.report.state")}</th>
                <th scope="col">{t("office.portfolio.report.progress")}</th>
                <th scope="col">{t("office.portfolio.report.files")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((report) => {
                const { done, total } = progressOf(report);
                const xlsx = reportFile(report, "xlsx");
                const pdf = reportFile(report, "pdf");
                const state = t(`office.portfolio.report.states.${report.state}`);
                return (
                  <tr key={report.id} data-testid={`report-${report.id}`} data-state={report.state}>
                    <td>{monthLabel(report.period)}</td>
                    <td>{instant(report.created_at)}</td>
                    <td>
                      <span class={`chip chip-${report.state === "done" ? "succeeded" : report.state === "failed" ? "failed" : "pending"}`}>
                        {state.startsWith("office.") ? report.state : state}
                      </span>
                      {report.state === "failed" && report.error ? (
                        <span class="error" data-testid="report-failure">
                          {" "}
                          {report.error}
                        </span>
                      ) : null}
                    </td>
                    <td>
                      {report.state === "queued" || report.state === "running" ? (
                        <>
                          <progress max={total || 1} value={done} aria-label={t("office.portfolio.report.progress")}>
                            {done} / {total}
                          </progress>{" "}
                          {done} / {total}
                        </>
                      ) : total ? (
                        `${done} / ${total}`
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>
                      {xlsx ? (
                        <a href={xlsx} data-testid="report-xlsx" download>
                          {t("office.portfolio.report.xlsx")}
                        </a>
                      ) : null}
                      {xlsx && pdf ? " · " : null}
                      {pdf ? (
                        <a href={pdf} data-testid="report-pdf" download>
                          {t("office.portfolio.report.pdf")}
                        </a>
                      ) : null}
                      {!xlsx && !pdf ? "—" : null}
                    </td>
                  </tr>
                );
              })}
              {reports.data && rows.length === 0 ? (
                <tr>
                  <td colSpan={5} class="empty">
                    {t("office.portfolio.report.none")}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
