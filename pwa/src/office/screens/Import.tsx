/**
 * Lease import: upload a file, see the check row by row (row, column, problem) and the leases it would create;
 * commit once it is clean. Large files run in the worker: their progress is followed until done.
 */
import { useEffect, useState } from "preact/hooks";
import { request, api } from "../../api";
import { t } from "../../i18n";
import { errorText } from "../components/ErrorPanel";
import { day, money } from "../format";

interface Report {
  filename: string;
  rows: number;
  committed: boolean;
  problems: { row: number; column: string; message: string }[];
  leases: { row: number; number: string; project: string; customer: string; assets: string[]; status: string; starts_on: string; ends_on: string; monthly_rent: string }[];
  created_ids: number[];
}

interface Job {
  id: number;
  state: string;
  phase: string | null;
  processed: number;
  total: number;
  reason: string | null;
  report: Report | null;
}

async function send(file: File, commit: boolean): Promise<Report | Job> {
  const form = new FormData();
  form.append("file", file);
  form.append("commit", commit ? "true" : "false");
  const response = await request("/api/imports/leases", { method: "POST", body: form });
  return (await response!.json()) as Report | Job;
}

export function Import() {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A file in the worker: its state every second until it succeeded or failed.
  useEffect(() => {
    if (!job || ["succeeded", "failed"].includes(job.state)) return;
    const timer = setTimeout(() => {
      api<Job>(`/api/imports/leases/${job.id}`)
        .then((next) => {
          setJob(next);
          if (next.report) setReport(next.report);
          if (next.state === "failed" && next.reason) setProblem(next.reason);
        })
        .catch((error: unknown) => setProblem(errorText(error)));
    }, 1000);
    return () => clearTimeout(timer);
  }, [job]);

  const run = async (commit: boolean) => {
    if (!file) return;
    setBusy(true);
    setProblem(null);
    try {
      const answer = await send(file, commit);
      if ("state" in answer) {
        setJob(answer);
        setReport(answer.report);
      } else {
        setJob(null);
        setReport(answer);
      }
    } catch (error) {
      setReport(null);
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  const running = job && !["succeeded", "failed"].includes(job.state);
  const clean = report && !report.committed && report.problems.length === 0 && report.rows > 0;
  return (
    <section class="page" data-testid="import">
      <h1>{t("office.nav.import")}</h1>
      <div class="panel">
        <p class="hint">{t("office.import.hint")}</p>
        <div class="row">
          <label for="import-file" class="sr-only">
            {t("office.import.file")}
          </label>
          <input
            id="import-file"
            type="file"
            data-testid="import-file"
            accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
            onChange={(event) => {
              setFile((event.target as HTMLInputElement).files?.[0] ?? null);
              setReport(null);
              setJob(null);
              setProblem(null);
            }}
          />
          <button type="button" data-testid="import-check" disabled={!file || busy || Boolean(running)} onClick={() => void run(false)}>
            {t("office.import.check")}
          </button>
          <button type="button" class="primary" data-testid="import-commit" disabled={!clean || busy || Boolean(running)} onClick={() => void run(true)}>
            {t("office.import.commit")}
          </button>
        </div>
      </div>
      {problem ? (
        <div class="panel panel-error" role="alert" data-testid="import-error">
          {problem}
        </div>
      ) : null}
      {job ? (
        <div class="panel" data-testid="import-progress">
          <p>
            {t(`office.import.state.${job.state}`)}
            {job.phase ? ` · ${t(`office.import.phase.${job.phase}`)}` : ""}
          </p>
          <progress max={job.total || 1} value={job.processed}>
            {job.processed} / {job.total}
          </progress>
          <span>
            {" "}
            {job.processed} / {job.total}
          </span>
        </div>
      ) : null}
      {report ? (
        <div class="panel" data-testid="import-report">
          <p data-testid="import-summary">
            {report.committed
              ? t("office.import.committed", { count: report.created_ids.length })
              : report.problems.length
                ? t("office.import.problems", { rows: report.rows, count: report.problems.length })
                : t("office.import.clean", { rows: report.rows, count: report.leases.length })}
          </p>
          {report.problems.length ? (
            <table data-testid="import-problems">
              <caption class="sr-only">{t("office.import.problemsTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("office.import.row")}</th>
                  <th scope="col">{t("office.import.column")}</th>
                  <th scope="col">{t("office.import.problem")}</th>
                </tr>
              </thead>
              <tbody>
                {report.problems.map((item, index) => (
                  <tr key={index}>
                    <td>{item.row}</td>
                    <td>{item.column}</td>
                    <td>{item.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          {report.leases.length ? (
            <div class="grid-scroll tall" tabIndex={0}>
              <table data-testid="import-leases">
                <caption class="sr-only">{t("office.import.leasesTitle")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("office.import.row")}</th>
                    <th scope="col">{t("office.lease.number")}</th>
                    <th scope="col">{t("office.lease.project")}</th>
                    <th scope="col">{t("office.lease.customer")}</th>
                    <th scope="col">{t("office.lease.asset")}</th>
                    <th scope="col">{t("office.lease.term")}</th>
                    <th scope="col" class="num">
                      {t("office.lease.monthly")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {report.leases.map((lease) => (
                    <tr key={lease.row}>
                      <td>{lease.row}</td>
                      <td>{lease.number}</td>
                      <td>{lease.project}</td>
                      <td>{lease.customer}</td>
                      <td>{lease.assets.join(", ")}</td>
                      <td>
                        {day(lease.starts_on)} – {day(lease.ends_on)}
                      </td>
                      <td class="num">{money(lease.monthly_rent)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
