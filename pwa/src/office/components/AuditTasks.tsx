/**
 * My audit tasks: the consistency audit's findings assigned to me (a project manager's), each resolved with a
 * note saying what was put right. On the audit screen and in My tasks.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { useSubmission } from "../hooks";
import { findingRowHref, findingRowText, named, type Finding } from "../iot";
import { can } from "../session";
import { DataGrid } from "./DataGrid";
import { NoteDialog } from "./NoteDialog";

/** The rows behind a finding, each a link where the office app shows it. */
export function FindingRows({ finding }: { finding: Finding }) {
  if (!finding.rows.length) return <>—</>;
  return (
    <ul class="inline-list finding-rows" data-testid="finding-rows">
      {finding.rows.map((row) => {
        const href = findingRowHref(row, finding);
        const text = findingRowText(row);
        return <li key={`${row.type}-${row.id}`}>{href ? <a href={href}>{text}</a> : text}</li>;
      })}
    </ul>
  );
}

export function findingColumns(extra: ColumnDef<Finding, unknown>[] = []): ColumnDef<Finding, unknown>[] {
  return [
    {
      id: "asset",
      header: () => t("office.lease.asset"),
      meta: { className: "nowrap" },
      cell: ({ row }) => (
        <>
          <a href={`/office/assets/${row.original.asset_id}`} data-testid="finding-asset">
            {row.original.asset_code}
          </a>{" "}
          <span class={`chip chip-${row.original.asset_status}`}>{t(`status.${row.original.asset_status}`)}</span>
        </>
      ),
    },
    { id: "project", header: () => t("office.lease.project"), meta: { className: "nowrap" }, cell: ({ row }) => row.original.project_code },
    { id: "kind", header: () => t("office.iot.findingKindTitle"), cell: ({ row }) => <span data-testid="finding-kind">{named("findingKind", row.original.kind)}</span> },
    { id: "summary", header: () => t("office.iot.summary"), cell: ({ row }) => <span data-testid="finding-summary">{row.original.summary}</span> },
    { id: "rows", header: () => t("office.iot.rowsBehind"), cell: ({ row }) => <FindingRows finding={row.original} /> },
    {
      id: "task",
      header: () => t("office.iot.taskStateTitle"),
      cell: ({ row }) => (
        <>
          <span class={`chip chip-task-${row.original.task_state}`} data-testid="finding-task-state">
            {named("taskState", row.original.task_state)}
          </span>
          {row.original.resolved_note ? <span class="hint"> {row.original.resolved_note}</span> : null}
        </>
      ),
    },
    ...extra,
  ];
}

export function AuditTasks({ compact = false }: { compact?: boolean }) {
  const [state, setState] = useState("open");
  const [round, setRound] = useState(0);
  const [resolving, setResolving] = useState<Finding | null>(null);
  const writer = can("asset:write");
  const columns = findingColumns([
    {
      id: "actions",
      header: () => <span class="sr-only">{t("office.reminders.actions")}</span>,
      cell: ({ row }) =>
        writer && row.original.task_state === "open" ? (
          <button type="button" class="primary" data-testid={`resolve-${row.original.id}`} onClick={() => setResolving(row.original)}>
            {t("office.iot.resolve")}
          </button>
        ) : null,
    },
  ]);
  return (
    <div class={compact ? "panel" : undefined} data-testid="audit-tasks">
      {compact ? <h2>{t("office.iot.myAuditTasks")}</h2> : null}
      <p class="hint">{t("office.iot.auditTasksHint")}</p>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.lease.status")}
          <select data-testid="audit-task-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="open">{named("taskState", "open")}</option>
            <option value="resolved">{named("taskState", "resolved")}</option>
          </select>
        </label>
      </form>
      <DataGrid<Finding>
        endpoint="/api/iot/audit-tasks"
        params={{ state }}
        reloadKey={round}
        columns={columns}
        testId="audit-task-list"
        caption={t("office.iot.myAuditTasks")}
        empty={t("office.iot.noAuditTasks")}
      />
      {resolving ? (
        <ResolveFinding
          finding={resolving}
          onClose={() => setResolving(null)}
          onDone={() => {
            setResolving(null);
            setRound((value) => value + 1);
          }}
        />
      ) : null}
    </div>
  );
}

function ResolveFinding({ finding, onClose, onDone }: { finding: Finding; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState("");
  const { errors, problem, busy, submit } = useSubmission(() => api(`/api/iot/audit-tasks/${finding.id}/resolve`, { method: "POST", json: { note: note.trim() } }), onDone);
  return (
    <NoteDialog
      title={t("office.iot.resolveTitle")}
      testId="resolve"
      summary={
        <>
          {finding.asset_code} · {named("findingKind", finding.kind)}
        </>
      }
      detail={finding.summary}
      field={{ id: "resolve-note", name: "note", label: t("office.iot.note"), hint: t("office.iot.resolveHint"), required: true }}
      value={note}
      onInput={setNote}
      submitLabel={t("office.iot.resolve")}
      errors={errors}
      problem={problem}
      busy={busy}
      onSubmit={(event) => void submit(event)}
      onClose={onClose}
    />
  );
}
