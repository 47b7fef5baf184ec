/**
 * Legal cases and key accounts' tasks: the open cases (owner, next step, documents), one case worked on
 * (its owner and next step, documents added, closed with its outcome), and the account managers' tasks
 * marked done with what they told the customer.
 */
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { CASE_OUTCOMES, type Case, type CollectionTask, type Notice, named } from "../collections";
import { Choose, choices } from "../components/Choose";
import { DataGrid, query } from "../components/DataGrid";
import { DateInput } from "../components/DateInput";
import { NoticeMessage, TierChip } from "../components/CollectionParts";
import { ErrorPanel } from "../components/ErrorPanel";
import { Field, fieldErrors } from "../components/Field";
import { NameOf } from "../components/Names";
import { NoteDialog } from "../components/NoteDialog";
import { useOptions } from "../components/Options";
import { day, money } from "../format";
import { useResource, useSubmission } from "../hooks";
import { can, session } from "../session";

export function CaseList({ projectId }: { projectId: string }) {
  const [state, setState] = useState("open");
  const columns: ColumnDef<Case, unknown>[] = [
    {
      id: "customer",
      header: () => t("office.lease.customer"),
      cell: ({ row }) => (
        <a href={`/office/collections/cases/${row.original.id}`} data-testid="case-open">
          {row.original.customer_name}
        </a>
      ),
    },
    { id: "project", header: () => t("office.lease.project"), cell: ({ row }) => <NameOf kind="projects" id={row.original.project_id} /> },
    { id: "opened_on", header: () => t("office.collections.case.openedOn"), meta: { className: "nowrap" }, cell: ({ row }) => day(row.original.opened_on) },
    { id: "amount", header: () => t("office.collections.case.amount"), meta: { className: "num nowrap" }, cell: ({ row }) => money(row.original.amount, row.original.currency) },
    { id: "owner", header: () => t("office.collections.case.owner"), cell: ({ row }) => (row.original.owner_id ? <NameOf kind="users" id={row.original.owner_id} /> : t("office.collections.case.noOwner")) },
    { id: "next", header: () => t("office.collections.case.nextStep"), cell: ({ row }) => nextStepText(row.original) },
    { id: "documents", header: () => t("office.collections.case.documents"), meta: { className: "num" }, cell: ({ row }) => row.original.documents.length },
    { id: "state", header: () => t("office.lease.status"), cell: ({ row }) => <span class={`chip chip-${row.original.state}`}>{named("caseState", row.original.state)}</span> },
  ];
  return (
    <>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.lease.status")}
          <Choose testId="cases-state" value={state} options={choices(["open", "closed"], (value) => named("caseState", value))} empty={t("office.filter.all")} onChange={setState} />
        </label>
      </form>
      <DataGrid<Case>
        endpoint="/api/collections/cases"
        params={{ project_id: projectId, state }}
        columns={columns}
        sortable={["opened_on"]}
        testId="cases"
        caption={t("office.collections.tab.cases")}
        empty={t("office.collections.case.none")}
      />
    </>
  );
}

function nextStepText(value: Case): string {
  if (!value.next_step) return "—";
  return value.next_step_on ? `${value.next_step} (${day(value.next_step_on)})` : value.next_step;
}

export function CaseDetail({ params }: { params: Record<string, string> }) {
  const found = useResource<Case>(`/api/collections/cases/${params.id}`);
  if (found.error) return <ErrorPanel error={found.error} />;
  if (!found.data) return <p class="loading">{t("app.loading")}</p>;
  const value = found.data;
  const editable = value.state === "open" && can("collections:write");
  return (
    <section class="page" data-testid="case-detail" data-state={value.state}>
      <div class="page-head">
        <h1>
          {t("office.collections.case.title", { customer: value.customer_name })}{" "}
          <span class={`chip chip-${value.state}`} data-testid="case-state">
            {named("caseState", value.state)}
          </span>
        </h1>
        <a href="/office/collections?tab=cases">{t("office.collections.case.back")}</a>
      </div>
      <div class="columns">
        <div class="panel">
          <dl class="facts">
            <dt>{t("office.lease.customer")}</dt>
            <dd>
              <a href={`/office/collections/customers/${value.customer_id}`}>{value.customer_name}</a>
            </dd>
            <dt>{t("office.lease.project")}</dt>
            <dd>
              <NameOf kind="projects" id={value.project_id} />
            </dd>
            <dt>{t("office.collections.case.openedOn")}</dt>
            <dd>{day(value.opened_on)}</dd>
            <dt>{t("office.collections.case.amount")}</dt>
            <dd>{money(value.amount, value.currency)}</dd>
            <dt>{t("office.collections.case.owner")}</dt>
            <dd data-testid="case-owner">{value.owner_id ? <NameOf kind="users" id={value.owner_id} /> : t("office.collections.case.noOwner")}</dd>
            <dt>{t("office.collections.case.nextStep")}</dt>
            <dd data-testid="case-next">{nextStepText(value)}</dd>
            {value.state === "closed" ? (
              <>
                <dt>{t("office.collections.case.outcome")}</dt>
                <dd data-testid="case-outcome">
                  {named("outcome", value.outcome)} · {day(value.closed_on)} · {value.outcome_note}
                </dd>
              </>
            ) : null}
          </dl>
          <h2>{t("office.collections.bills")}</h2>
          <table data-testid="case-bills">
            <caption class="sr-only">{t("office.collections.bills")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.collections.billNumber")}</th>
                <th scope="col">{t("office.collections.dueDate")}</th>
                <th scope="col" class="num">
                  {t("office.collections.open")}
                </th>
              </tr>
            </thead>
            <tbody>
              {value.bills.map((bill) => (
                <tr key={bill.charge_id}>
                  <td>{bill.number}</td>
                  <td>{day(bill.due_date)}</td>
                  <td class="num">{money(bill.open, bill.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="panel">
          <h2>{t("office.collections.case.documents")}</h2>
          {value.documents.length ? (
            <ul data-testid="case-documents">
              {value.documents.map((document, index) => (
                <li key={index}>
                  {document.title} · {document.reference} · {day(document.added_on)}
                </li>
              ))}
            </ul>
          ) : (
            <p class="hint">{t("office.collections.case.noDocuments")}</p>
          )}
          {editable ? <AddDocument caseId={value.id} onDone={found.reload} /> : null}
        </div>
      </div>
      {editable ? (
        <div class="columns">
          <NextStepForm value={value} onDone={found.reload} />
          <CloseCase caseId={value.id} onDone={found.reload} />
        </div>
      ) : null}
    </section>
  );
}

function patchCase(id: number, body: Record<string, unknown>) {
  return api<Case>(`/api/collections/cases/${id}`, { method: "PATCH", json: body });
}

function NextStepForm({ value, onDone }: { value: Case; onDone: () => void }) {
  const me = session.get()?.user;
  const users = useOptions(can("user:read") ? "/api/users" : null, (row) => String(row.display_name ?? row.username));
  const people = users.length ? users : me ? [{ value: String(me.id), label: me.display_name }] : [];
  const [owner, setOwner] = useState(value.owner_id ? String(value.owner_id) : "");
  const [step, setStep] = useState(value.next_step ?? "");
  const [on, setOn] = useState(value.next_step_on ?? "");
  const { errors, problem, busy, submit } = useSubmission(
    () => patchCase(value.id, { owner_id: owner ? Number(owner) : null, next_step: step.trim() || null, next_step_on: on.trim() || null }),
    onDone,
  );
  const known = people.some((person) => person.value === owner) || !owner;
  return (
    <form class="panel" onSubmit={(event) => void submit(event)} noValidate data-testid="case-next-form">
      <h2>{t("office.collections.case.ownerAndStep")}</h2>
      <Field id="case-owner-input" label={t("office.collections.case.owner")} errors={fieldErrors(errors, "owner_id")}>
        <select id="case-owner-input" data-testid="case-owner-input" value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
          <option value="">{t("office.collections.case.noOwner")}</option>
          {!known ? <option value={owner}>#{owner}</option> : null}
          {people.map((person) => (
            <option key={person.value} value={person.value}>
              {person.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id="case-step" label={t("office.collections.case.nextStep")} errors={fieldErrors(errors, "next_step")}>
        <input id="case-step" data-testid="case-step" value={step} onInput={(e) => setStep((e.target as HTMLInputElement).value)} />
      </Field>
      <Field id="case-step-on" label={t("office.collections.case.nextStepOn")} errors={fieldErrors(errors, "next_step_on")}>
        <DateInput id="case-step-on" testId="case-step-on" value={on} onChange={setOn} invalid={Boolean(errors.next_step_on)} />
      </Field>
      {problem ? (
        <p class="error" role="alert">
          {problem}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="primary" data-testid="case-next-save" disabled={busy}>
          {t("office.collections.save")}
        </button>
      </div>
    </form>
  );
}

function AddDocument({ caseId, onDone }: { caseId: number; onDone: () => void }) {
  const [title, setTitle] = useState("");
  const [reference, setReference] = useState("");
  const { errors, problem, busy, submit } = useSubmission(() => patchCase(caseId, { add_documents: [{ title: title.trim(), reference: reference.trim() }] }), () => {
    setTitle("");
    setReference("");
    onDone();
  });
  return (
    <form onSubmit={(event) => void submit(event)} noValidate data-testid="case-document-form">
      <h3>{t("office.collections.case.addDocument")}</h3>
      <Field id="doc-title" label={t("office.collections.case.docTitle")} errors={fieldErrors(errors, "add_documents.0.title")} required>
        <input id="doc-title" data-testid="doc-title" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      </Field>
      <Field id="doc-reference" label={t("office.collections.case.docReference")} errors={fieldErrors(errors, "add_documents.0.reference")} required hint={t("office.collections.case.docReferenceHint")}>
        <input id="doc-reference" data-testid="doc-reference" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} />
      </Field>
      {problem ? (
        <p class="error" role="alert">
          {problem}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" data-testid="doc-add" disabled={busy}>
          {t("office.collections.case.addDocument")}
        </button>
      </div>
    </form>
  );
}

function CloseCase({ caseId, onDone }: { caseId: number; onDone: () => void }) {
  const [outcome, setOutcome] = useState("");
  const [note, setNote] = useState("");
  const { errors, problem, busy, submit } = useSubmission(() => patchCase(caseId, { outcome, outcome_note: note.trim() || null }), onDone);
  return (
    <form class="panel" onSubmit={(event) => void submit(event)} noValidate data-testid="case-close-form">
      <h2>{t("office.collections.case.closeTitle")}</h2>
      <Field id="case-outcome-input" label={t("office.collections.case.outcome")} errors={fieldErrors(errors, "outcome")} required>
        <Choose id="case-outcome-input" testId="case-outcome-input" value={outcome} options={choices([...CASE_OUTCOMES], (code) => named("outcome", code))} empty={t("office.filter.choose")} onChange={setOutcome} />
      </Field>
      <Field id="case-outcome-note" label={t("office.collections.note")} errors={fieldErrors(errors, "outcome_note")} required>
        <textarea id="case-outcome-note" data-testid="case-outcome-note" rows={3} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
      </Field>
      {problem ? (
        <p class="error" role="alert">
          {problem}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="danger" data-testid="case-close" disabled={busy}>
          {t("office.collections.case.close")}
        </button>
      </div>
    </form>
  );
}

// --- tasks -------------------------------------------------------------------------------------------------

/** Key accounts' tasks, open ones by due day; the one a notification links to shown whatever its state. */
export function TaskList({ projectId, taskId }: { projectId: string; taskId: string }) {
  const tasks = useResource<CollectionTask[]>(`/api/collections/tasks${query({ project_id: projectId, state: taskId ? undefined : "open", page_size: 100 })}`);
  const [closing, setClosing] = useState<CollectionTask | null>(null);
  const [reading, setReading] = useState<number | null>(null);
  const highlighted = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    highlighted.current?.scrollIntoView({ block: "center" });
    highlighted.current?.focus();
  }, [tasks.data]);
  const rows = tasks.data ?? [];
  return (
    <>
      <p class="hint">{t("office.collections.task.hint")}</p>
      {tasks.error ? <ErrorPanel error={tasks.error} /> : null}
      {taskId && tasks.data && !rows.some((task) => String(task.id) === taskId) ? <p class="panel panel-error">{t("office.error.notFound")}</p> : null}
      <div class="grid">
        <div class="grid-scroll" tabIndex={0}>
          <table data-testid="collection-tasks">
            <caption class="sr-only">{t("office.collections.tab.tasks")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.lease.customer")}</th>
                <th scope="col">{t("office.lease.project")}</th>
                <th scope="col">{t("office.collections.tierTitle")}</th>
                <th scope="col">{t("office.collections.task.dueOn")}</th>
                <th scope="col">{t("office.collections.task.assignee")}</th>
                <th scope="col">{t("office.lease.status")}</th>
                <th scope="col">
                  <span class="sr-only">{t("office.collections.task.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((task) => {
                const chosen = String(task.id) === taskId;
                return (
                  <tr key={task.id} ref={chosen ? highlighted : undefined} tabIndex={chosen ? -1 : undefined} class={chosen ? "selected" : undefined} data-testid={`task-${task.id}`} data-state={task.state}>
                    <td>
                      <a href={`/office/collections/customers/${task.customer_id}`}>
                        <NameOf kind="customers" id={task.customer_id} />
                      </a>
                    </td>
                    <td>
                      <NameOf kind="projects" id={task.project_id} />
                    </td>
                    <td>
                      <TierChip tier={task.tier} />
                    </td>
                    <td class="nowrap">{day(task.due_on)}</td>
                    <td>
                      <NameOf kind="users" id={task.assignee_id} />
                    </td>
                    <td>
                      <span class={`chip chip-task-${task.state}`}>{named("taskState", task.state)}</span>
                      {task.note ? <span class="hint"> {task.note}</span> : null}
                    </td>
                    <td class="row-actions">
                      <button type="button" data-testid="task-message" aria-expanded={reading === task.id} onClick={() => setReading(reading === task.id ? null : task.id)}>
                        {t("office.collections.task.message")}
                      </button>
                      {task.state === "open" ? (
                        <button type="button" class="primary" data-testid="task-done" onClick={() => setClosing(task)}>
                          {t("office.collections.task.done")}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
              {tasks.data && !rows.length ? (
                <tr>
                  <td colSpan={7} class="empty">
                    {t("office.collections.task.none")}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
      {reading !== null ? <TaskMessage noticeId={rows.find((task) => task.id === reading)?.notice_id ?? null} /> : null}
      {closing ? (
        <TaskDone
          task={closing}
          onClose={() => setClosing(null)}
          onDone={() => {
            setClosing(null);
            tasks.reload();
          }}
        />
      ) : null}
    </>
  );
}

function TaskMessage({ noticeId }: { noticeId: number | null }) {
  const notice = useResource<Notice>(noticeId === null ? null : `/api/collections/notices/${noticeId}`);
  if (notice.error) return <ErrorPanel error={notice.error} />;
  if (!notice.data) return null;
  return (
    <div class="panel" data-testid="task-notice">
      <NoticeMessage notice={notice.data} />
    </div>
  );
}

function TaskDone({ task, onClose, onDone }: { task: CollectionTask; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState("");
  const { errors, problem, busy, submit } = useSubmission(() => api(`/api/collections/tasks/${task.id}/done`, { method: "POST", json: { note: note.trim() } }), onDone);
  return (
    <NoteDialog
      title={t("office.collections.task.doneTitle")}
      testId="task-done"
      summary={
        <>
          <NameOf kind="customers" id={task.customer_id} /> · {t("office.collections.task.dueOnDay", { day: day(task.due_on) })}
        </>
      }
      field={{ id: "task-note", name: "note", label: t("office.collections.task.note"), hint: t("office.collections.task.noteHint"), required: true }}
      value={note}
      onInput={setNote}
      submitLabel={t("office.collections.task.done")}
      errors={errors}
      problem={problem}
      busy={busy}
      onSubmit={(event) => void submit(event)}
      onClose={onClose}
    />
  );
}
