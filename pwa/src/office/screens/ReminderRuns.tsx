/** The reminder engine's runs, newest first: per project when it ran, how long, what it did, what failed. */
import type { ColumnDef } from "@tanstack/react-table";
import { t } from "../../i18n";
import { DataGrid } from "../components/DataGrid";
import { day, instant } from "../format";
import { countOf, countsByReason, durationSeconds, formatDuration, named } from "../reminders";

type Count = number | Record<string, number>;

interface RunDetails {
  /** The business day the run worked on (one per project; a list when projects' days differed). */
  today?: string | string[];
  leases?: Count;
  due?: Count;
  sent?: Count;
  late?: Count;
  /** How many tiers were not sent, or how many for each reason. */
  skipped?: Count;
  escalated?: Count;
  reassigned?: Count;
  auto_renewals?: Count;
  cancelled?: Count;
  errors?: { lease: string | null; message: string }[];
}

interface Run {
  id: number;
  project_id: number | null;
  project_name: string | null;
  started_at: string | null;
  finished_at: string | null;
  status: string;
  reason?: string | null;
  details: RunDetails | null;
}

const COUNTS = ["leases", "due", "sent", "late", "skipped", "escalated", "reassigned", "cancelled", "auto_renewals"] as const;

function Errors({ run }: { run: Run }) {
  const errors = run.details?.errors ?? [];
  if (!errors.length) return <>0</>;
  return (
    <details data-testid={`run-errors-${run.id}`}>
      <summary>{t("office.reminders.errorCount", { count: errors.length })}</summary>
      <ul>
        {errors.map((error, index) => (
          <li key={index}>
            {error.lease ? <strong>{error.lease}: </strong> : null}
            {error.message}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function ReminderRuns() {
  const columns: ColumnDef<Run, unknown>[] = [
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => row.original.project_name ?? t("office.reminders.allProjects") },
    {
      id: "today",
      header: () => t("office.reminders.businessDay"),
      cell: ({ row }) => {
        const days = row.original.details?.today;
        return Array.isArray(days) ? days.map((value) => day(value)).join(t("office.reminders.listSeparator")) : day(days);
      },
    },
    { id: "started_at", header: () => t("office.job.started"), cell: ({ row }) => instant(row.original.started_at) },
    { id: "finished_at", header: () => t("office.job.finished"), cell: ({ row }) => instant(row.original.finished_at) },
    {
      id: "duration",
      header: () => t("office.reminders.duration"),
      meta: { className: "num" },
      cell: ({ row }) => formatDuration(durationSeconds(row.original.started_at, row.original.finished_at)),
    },
    {
      id: "status",
      header: () => t("office.lease.status"),
      cell: ({ row }) => (
        <span class={`chip chip-${row.original.status}`} data-testid="run-status" title={row.original.reason ?? undefined}>
          {named("runStatus", row.original.status)}
        </span>
      ),
    },
    ...COUNTS.map(
      (name): ColumnDef<Run, unknown> => ({
        id: name,
        header: () => t(`office.reminders.count.${name}`),
        meta: { className: "num" },
        cell: ({ row }) => {
          const value = row.original.details?.[name];
          const reasons = countsByReason(value);
          return (
            <span data-testid={`run-${name}`} title={reasons ?? undefined}>
              {countOf(value)}
            </span>
          );
        },
      }),
    ),
    { id: "errors", header: () => t("office.reminders.count.errors"), cell: ({ row }) => <Errors run={row.original} /> },
  ];
  return (
    <section class="page">
      <h1>{t("office.nav.reminderRuns")}</h1>
      <p class="hint">{t("office.reminders.runsHint")}</p>
      <DataGrid<Run> endpoint="/api/reminders/runs" columns={columns} testId="reminder-runs" caption={t("office.nav.reminderRuns")} />
    </section>
  );
}
