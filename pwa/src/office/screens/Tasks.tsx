/**
 * My tasks: the reminders waiting for me (or for anyone in my scope), acknowledged with a note or handed to
 * someone else; the consistency audit's findings assigned to me; and my calendar feed of critical dates.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { useStore } from "../../store";
import { AuditTasks } from "../components/AuditTasks";
import { DataGrid } from "../components/DataGrid";
import { Dialog } from "../components/Dialog";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { Field, fieldErrors } from "../components/Field";
import { NoteDialog } from "../components/NoteDialog";
import { day, instant, today } from "../format";
import { useResource, useSubmission } from "../hooks";
import { TASK_STATES, feedAddress, named, overdueDays, tierLabel } from "../reminders";
import { can, session } from "../session";
import { useQueryState } from "../urlstate";

interface Person {
  id: number;
  name: string;
}

export interface Task {
  id: number;
  kind: "reminder" | "auto_renewal";
  lease_id: number;
  lease_number: string;
  project_id: number;
  project_name: string;
  customer_name: string | null;
  date_kind: string;
  critical_date: string;
  tier: number;
  tier_count: number;
  fire_on: string;
  sent_at: string | null;
  late: boolean;
  due_on: string | null;
  overdue: boolean;
  state: string;
  ack_required: boolean;
  assignee: Person | null;
  recipient: Person | null;
  acknowledged_at: string | null;
  acknowledged_by: Person | null;
  note: string | null;
  escalated_at: string | null;
  renewal_lease_id: number | null;
  renewal_lease_number: string | null;
}

const ASSIGNEE: ColumnDef<Task, unknown> = {
  id: "assignee",
  header: () => t("office.reminders.assignee"),
  cell: ({ row }) => row.original.assignee?.name ?? "—",
};

/** "2/3"; an automatic renewal's task belongs to no tier. */
function taskTier(task: Task): string {
  return task.tier_count ? tierLabel(task.tier, task.tier_count) : "—";
}

export function Tasks() {
  const me = useStore(session)!;
  const [filters, setFilters] = useQueryState(["state", "scope", "overdue"]);
  const [round, setRound] = useState(0);
  const [acting, setActing] = useState<{ task: Task; action: "acknowledge" | "reassign" } | null>(null);
  const state = filters.state || "open";
  const everyone = filters.scope === "all";
  // Only an open task is acknowledged or handed on: by its assignee, or by a manager over its project.
  const mayAct = (task: Task) => task.state === "open" && (task.assignee?.id === me.user.id || can("lease:approve"));
  const columns: ColumnDef<Task, unknown>[] = [
    {
      id: "lease",
      header: () => t("office.lease.number"),
      meta: { className: "nowrap" },
      cell: ({ row }) => (
        <a href={`/office/leases/${row.original.lease_id}`} data-testid="task-lease">
          {row.original.lease_number}
        </a>
      ),
    },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => row.original.project_name },
    { id: "customer", header: () => t("office.lease.customer"), cell: ({ row }) => row.original.customer_name ?? "—" },
    {
      id: "date_kind",
      header: () => t("office.reminders.dateKindTitle"),
      cell: ({ row }) =>
        row.original.kind === "auto_renewal" ? (
          <>
            {named("taskKind", "auto_renewal")}
            {row.original.renewal_lease_id ? (
              <>
                {" · "}
                <a href={`/office/leases/${row.original.renewal_lease_id}`} data-testid="renewal-lease">
                  {t("office.reminders.renewalDraft", { number: row.original.renewal_lease_number ?? `#${row.original.renewal_lease_id}` })}
                </a>
              </>
            ) : null}
          </>
        ) : (
          named("dateKind", row.original.date_kind)
        ),
    },
    { id: "critical_date", header: () => t("office.reminders.criticalDate"), cell: ({ row }) => day(row.original.critical_date) },
    {
      id: "tier",
      header: () => t("office.reminders.tier"),
      meta: { className: "num" },
      cell: ({ row }) => <span data-testid="task-tier">{taskTier(row.original)}</span>,
    },
    {
      id: "due_on",
      header: () => t("office.reminders.dueOn"),
      cell: ({ row }) => (
        <>
          {day(row.original.due_on)}
          {row.original.overdue ? (
            <>
              {" "}
              <span class="chip chip-overdue" data-testid="task-overdue">
                {t("office.reminders.overdueDays", { days: Math.max(1, overdueDays(row.original.due_on, today())) })}
              </span>
            </>
          ) : null}
        </>
      ),
    },
    {
      id: "sent",
      header: () => t("office.reminders.sentAt"),
      cell: ({ row }) => (
        <>
          {instant(row.original.sent_at)}
          {row.original.late ? (
            <>
              {" "}
              <span class="chip chip-late" data-testid="task-late" title={t("office.reminders.lateHint")}>
                {t("office.reminders.late")}
              </span>
            </>
          ) : null}
        </>
      ),
    },
    // Whose task it is, when the list holds everyone's.
    ...(everyone ? [ASSIGNEE] : []),
    {
      id: "state",
      header: () => t("office.lease.status"),
      cell: ({ row }) => (
        <>
          <span class={`chip chip-${row.original.state}`} data-testid="task-state">
            {named("taskState", row.original.state)}
          </span>
          {row.original.acknowledged_by ? (
            <span class="hint">
              {" "}
              {row.original.acknowledged_by.name} · {instant(row.original.acknowledged_at)}
              {row.original.note ? ` · ${row.original.note}` : ""}
            </span>
          ) : null}
        </>
      ),
    },
    {
      id: "actions",
      header: () => <span class="sr-only">{t("office.reminders.actions")}</span>,
      cell: ({ row }) =>
        mayAct(row.original) ? (
          <div class="row-actions">
            <button type="button" class="primary" data-testid={`acknowledge-${row.original.id}`} onClick={() => setActing({ task: row.original, action: "acknowledge" })}>
              {t("office.reminders.acknowledge")}
            </button>
            <button type="button" data-testid={`reassign-${row.original.id}`} onClick={() => setActing({ task: row.original, action: "reassign" })}>
              {t("office.reminders.reassign")}
            </button>
          </div>
        ) : null,
    },
  ];
  const done = () => {
    setActing(null);
    setRound(round + 1);
  };
  return (
    <section class="page">
      <h1>{t("office.nav.tasks")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.lease.status")}
          <select data-testid="task-state-filter" value={state} onChange={(e) => setFilters({ state: (e.target as HTMLSelectElement).value })}>
            {TASK_STATES.map((value) => (
              <option key={value} value={value}>
                {named("taskState", value)}
              </option>
            ))}
            <option value="all">{t("office.filter.all")}</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" data-testid="task-scope" checked={everyone} onChange={(e) => setFilters({ scope: (e.target as HTMLInputElement).checked ? "all" : "" })} />
          {t("office.reminders.allInScope")}
        </label>
        <label class="check">
          <input type="checkbox" data-testid="task-overdue-filter" checked={filters.overdue === "true"} onChange={(e) => setFilters({ overdue: (e.target as HTMLInputElement).checked ? "true" : "" })} />
          {t("office.reminders.onlyOverdue")}
        </label>
      </form>
      <DataGrid<Task>
        endpoint="/api/reminders/tasks"
        params={{ mine: everyone ? "false" : "true", state: state === "all" ? undefined : state, overdue: filters.overdue === "true" ? "true" : undefined }}
        reloadKey={round}
        columns={columns}
        testId="tasks"
        caption={t("office.nav.tasks")}
        empty={t("office.reminders.noTasks")}
      />
      {acting?.action === "acknowledge" ? <Acknowledge task={acting.task} onClose={() => setActing(null)} onDone={done} /> : null}
      {acting?.action === "reassign" ? <Reassign task={acting.task} onClose={() => setActing(null)} onDone={done} /> : null}
      {can("asset:read") ? <AuditTasks compact /> : null}
      <CalendarFeed />
    </section>
  );
}

/** What the task is about, in one line: lease, date kind, date and tier. */
function TaskSummary({ task }: { task: Task }) {
  return (
    <p class="hint" data-testid="task-summary">
      {task.lease_number} · {task.kind === "auto_renewal" ? named("taskKind", task.kind) : named("dateKind", task.date_kind)} · {day(task.critical_date)}
      {task.tier_count ? ` · ${t("office.reminders.tier")} ${taskTier(task)}` : ""}
    </p>
  );
}

function Acknowledge({ task, onClose, onDone }: { task: Task; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState("");
  const { errors, problem, busy, submit } = useSubmission(
    () => api(`/api/reminders/tasks/${task.id}/acknowledge`, { method: "POST", json: { note: note.trim() } }),
    onDone,
  );
  return (
    <NoteDialog
      title={t("office.reminders.acknowledgeTitle")}
      testId="ack"
      dialogTestId="acknowledge-dialog"
      field={{
        id: "ack-note",
        name: "note",
        label: t("office.reminders.note"),
        hint: task.ack_required ? t("office.reminders.noteRequiredHint") : t("office.reminders.noteHint"),
        required: task.ack_required,
      }}
      value={note}
      onInput={setNote}
      submitLabel={t("office.reminders.acknowledge")}
      errors={errors}
      problem={problem}
      busy={busy}
      onSubmit={(event) => void submit(event)}
      onClose={onClose}
    >
      <TaskSummary task={task} />
    </NoteDialog>
  );
}

function Reassign({ task, onClose, onDone }: { task: Task; onClose: () => void; onDone: () => void }) {
  // Everyone else who works on the task's project (the API lists them for the task's owner or a manager).
  const people = useResource<Person[]>(`/api/reminders/tasks/${task.id}/assignees`);
  const [assignee, setAssignee] = useState("");
  const [note, setNote] = useState("");
  const { errors, problem, busy, submit } = useSubmission(
    () =>
      api(`/api/reminders/tasks/${task.id}/reassign`, {
        method: "POST",
        json: { assignee_id: assignee ? Number(assignee) : null, note: note.trim() },
      }),
    onDone,
  );
  return (
    <Dialog title={t("office.reminders.reassignTitle")} testId="reassign-dialog" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TaskSummary task={task} />
        <p class="hint">{t("office.reminders.currentAssignee", { name: task.assignee?.name ?? "—" })}</p>
        {people.error ? <ErrorPanel error={people.error} /> : null}
        <Field id="reassign-to" label={t("office.reminders.newAssignee")} errors={fieldErrors(errors, "assignee_id")} required>
          <select id="reassign-to" data-testid="reassign-to" value={assignee} aria-invalid={Boolean(errors.assignee_id) || undefined} onChange={(e) => setAssignee((e.target as HTMLSelectElement).value)}>
            <option value="">{t("office.filter.choose")}</option>
            {(people.data ?? []).map((person) => (
              <option key={person.id} value={String(person.id)}>
                {person.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="reassign-note" label={t("office.reminders.note")} errors={fieldErrors(errors, "note")}>
          <textarea id="reassign-note" data-testid="reassign-note" rows={3} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        </Field>
        {problem ? (
          <p class="error" role="alert" data-testid="reassign-error">
            {problem}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary" data-testid="reassign-submit" disabled={busy}>
            {t("office.reminders.reassign")}
          </button>
          <button type="button" onClick={onClose}>
            {t("office.reminders.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface Feed {
  active: boolean;
  created_at: string | null;
  url: string | null;
}

/** My critical dates as a calendar subscription (ICS): its state, a new address (the old one stops), revoking. */
function CalendarFeed() {
  const feed = useResource<Feed>("/api/reminders/calendar-feed");
  const [created, setCreated] = useState<{ url: string; created_at: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (method: "POST" | "DELETE") => {
    setBusy(true);
    setProblem(null);
    setCopied(false);
    try {
      const answer = await api<{ url: string; created_at: string } | null>("/api/reminders/calendar-feed", { method });
      setCreated(method === "POST" ? answer : null);
      feed.reload();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };
  const url = created?.url ?? feed.data?.url ?? null;
  const address = url ? feedAddress(url, location.origin) : null;
  const copy = async () => {
    if (!address) return;
    try {
      await navigator.clipboard.writeText(address);
      setCopied(true);
    } catch {
      (document.getElementById("feed-url") as HTMLInputElement | null)?.select();
    }
  };
  const active = Boolean(created) || Boolean(feed.data?.active);
  return (
    <div class="panel" data-testid="calendar-feed">
      <h2>{t("office.reminders.feedTitle")}</h2>
      <p class="hint">{t("office.reminders.feedHint")}</p>
      {feed.error ? <ErrorPanel error={feed.error} /> : null}
      {feed.data || created ? (
        <p data-testid="feed-state" data-active={String(active)}>
          {active
            ? t("office.reminders.feedActive", { when: instant(created?.created_at ?? feed.data?.created_at) })
            : t("office.reminders.feedInactive")}
        </p>
      ) : null}
      {address ? (
        <div class="field">
          <label for="feed-url">{t("office.reminders.feedUrl")}</label>
          <div class="row">
            <input id="feed-url" data-testid="feed-url" readOnly value={address} onFocus={(e) => (e.target as HTMLInputElement).select()} />
            <button type="button" data-testid="feed-copy" onClick={() => void copy()}>
              {copied ? t("office.reminders.copied") : t("office.reminders.copy")}
            </button>
          </div>
          <span class="hint">{t("office.reminders.feedSecret")}</span>
        </div>
      ) : active ? (
        <p class="hint">{t("office.reminders.feedUrlHidden")}</p>
      ) : null}
      {problem ? (
        <p class="error" role="alert" data-testid="feed-error">
          {problem}
        </p>
      ) : null}
      <div class="actions">
        <button type="button" class={active ? undefined : "primary"} data-testid="feed-create" disabled={busy || !(feed.data || created)} onClick={() => void run("POST")}>
          {active ? t("office.reminders.feedRotate") : t("office.reminders.feedCreate")}
        </button>
        {active ? (
          <button type="button" class="danger" data-testid="feed-revoke" disabled={busy} onClick={() => void run("DELETE")}>
            {t("office.reminders.feedRevoke")}
          </button>
        ) : null}
      </div>
    </div>
  );
}
