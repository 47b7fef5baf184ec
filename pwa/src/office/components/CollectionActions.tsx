/**
 * What a collector does about one customer in one project: run the project's dunning now (the refusal while
 * yesterday's statements are not reconciled shown as the server words it), record a promise to pay, ask for
 * a grace period (a second person approves it), open a dispute over chosen overdue bills.
 */
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { type RunReport, named } from "../collections";
import { day, money, today } from "../format";
import { useResource, useSubmission } from "../hooks";
import { query } from "./DataGrid";
import { DateInput } from "./DateInput";
import { Dialog } from "./Dialog";
import { errorText } from "./ErrorPanel";
import { Field, fieldErrors } from "./Field";

interface Who {
  projectId: number;
  customerId: number;
  customerName: string;
}

function Actions({ testId, busy, label, onClose }: { testId: string; busy: boolean; label: string; onClose: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" data-testid={`${testId}-submit`} disabled={busy}>
        {label}
      </button>
      <button type="button" onClick={onClose}>
        {t("office.reminders.cancel")}
      </button>
    </div>
  );
}

function Problem({ testId, problem }: { testId: string; problem: string | null }) {
  return problem ? (
    <p class="error" role="alert" data-testid={`${testId}-error`}>
      {problem}
    </p>
  ) : null;
}

/** Run a project's dunning now: the run's figures, or the server's refusal naming the bank accounts. */
export function RunDunning({ projectId, onDone }: { projectId: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<RunReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setProblem(null);
    setReport(null);
    try {
      setReport(await api<RunReport>("/api/collections/runs", { method: "POST", json: { project_id: Number(projectId) } }));
      onDone();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="run-dunning">
      <div class="actions">
        <button type="button" class="primary" data-testid="run-dunning" disabled={busy || !projectId} onClick={() => void run()}>
          {busy ? t("office.collections.run.running") : t("office.collections.run.now")}
        </button>
        <span class="hint">{projectId ? t("office.collections.run.hint") : t("office.collections.run.chooseProject")}</span>
      </div>
      {problem ? (
        <div class="panel panel-error" role="alert" data-testid="run-error">
          <strong>{t("office.collections.run.refused")}</strong> {problem}
        </div>
      ) : null}
      {report ? (
        <div class="panel notice" role="status" data-testid="run-report">
          <p>
            {t("office.collections.run.done", { day: day(report.run_on), customers: report.customers, fees: money(report.late_fees), bills: report.late_fee_bills })}
          </p>
          {Object.keys(report.by_action).length ? (
            <ul class="inline-list">
              {Object.entries(report.by_action).map(([action, count]) => (
                <li key={action} data-testid={`run-action-${action}`}>
                  {t("office.collections.run.count", { action: named("action", action), count })}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The tier's message to one customer now (the field's one click), or why not (told today, with legal). */
export function SendNow({ who, onDone }: { who: Who; onDone: (text: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const send = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const report = await api<RunReport>("/api/collections/runs", {
        method: "POST",
        json: { project_id: Number(who.projectId), customer_id: Number(who.customerId) },
      });
      const [action] = Object.keys(report.by_action);
      onDone(t("office.collections.sent", { action: action ? named("action", action) : "—" }));
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="primary" data-testid="send-now" disabled={busy} onClick={() => void send()}>
        {t("office.collections.sendNow")}
      </button>
      <Problem testId="send-now" problem={problem} />
    </>
  );
}

export function PromiseDialog({ who, amount, currency, onClose, onDone }: { who: Who; amount: string; currency: string; onClose: () => void; onDone: () => void }) {
  const [promisedOn, setPromisedOn] = useState("");
  const [value, setValue] = useState(amount);
  const [note, setNote] = useState("");
  const { errors, problem, busy, submit } = useSubmission(
    () =>
      api("/api/collections/promises", {
        method: "POST",
        json: { project_id: who.projectId, customer_id: who.customerId, promised_on: promisedOn.trim() || undefined, amount: value.trim(), note: note.trim() || null },
      }),
    onDone,
  );
  const dateErrors = fieldErrors(errors, "promised_on");
  const amountErrors = fieldErrors(errors, "amount");
  return (
    <Dialog title={t("office.collections.promise.title")} testId="promise-dialog" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p class="hint">{t("office.collections.promise.hint", { customer: who.customerName })}</p>
        <Field id="promise-on" label={t("office.collections.promise.on")} errors={dateErrors} required>
          <DateInput id="promise-on" testId="promise-on" value={promisedOn} onChange={setPromisedOn} invalid={Boolean(dateErrors)} describedBy={dateErrors ? "promise-on-error" : undefined} />
        </Field>
        <Field id="promise-amount" label={t("office.collections.promise.amount", { currency })} errors={amountErrors} required>
          <input
            id="promise-amount"
            data-testid="promise-amount"
            inputMode="decimal"
            value={value}
            aria-invalid={Boolean(amountErrors) || undefined}
            aria-describedby={amountErrors ? "promise-amount-error" : undefined}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </Field>
        <Field id="promise-note" label={t("office.collections.note")} errors={fieldErrors(errors, "note")}>
          <textarea id="promise-note" data-testid="promise-note" rows={2} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <Problem testId="promise" problem={problem} />
        <Actions testId="promise" busy={busy} label={t("office.collections.promise.submit")} onClose={onClose} />
      </form>
    </Dialog>
  );
}

export function GraceDialog({ who, onClose, onDone }: { who: Who; onClose: () => void; onDone: (days: number) => void }) {
  const [days, setDays] = useState("7");
  const [reason, setReason] = useState("");
  const asked = (): number | string => (/^\d+$/.test(days.trim()) ? Number(days.trim()) : days.trim());
  const { errors, problem, busy, submit } = useSubmission(
    () => api("/api/collections/grace-periods", { method: "POST", json: { project_id: who.projectId, customer_id: who.customerId, days: asked(), reason: reason.trim() } }),
    () => onDone(Number(days)),
  );
  const dayErrors = fieldErrors(errors, "days");
  const reasonErrors = fieldErrors(errors, "reason");
  return (
    <Dialog title={t("office.collections.grace.title")} testId="grace-dialog" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p class="hint">{t("office.collections.grace.hint", { customer: who.customerName })}</p>
        <Field id="grace-days" label={t("office.collections.grace.days")} errors={dayErrors} required hint={t("office.collections.grace.daysHint")}>
          <input id="grace-days" data-testid="grace-days" inputMode="numeric" value={days} aria-invalid={Boolean(dayErrors) || undefined} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="grace-reason" label={t("office.collections.grace.reason")} errors={reasonErrors} required>
          <textarea id="grace-reason" data-testid="grace-reason" rows={3} value={reason} aria-invalid={Boolean(reasonErrors) || undefined} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <Problem testId="grace" problem={problem} />
        <Actions testId="grace" busy={busy} label={t("office.collections.grace.submit")} onClose={onClose} />
      </form>
    </Dialog>
  );
}

interface Charge {
  id: number;
  number: string;
  description: string;
  due_date: string;
  open_amount: string;
  currency: string;
}

export function DisputeDialog({ who, onClose, onDone }: { who: Who; onClose: () => void; onDone: () => void }) {
  // The customer's open bills in the project that are past due today.
  const bills = useResource<Charge[]>(
    `/api/charges${query({ customer_id: who.customerId, project_id: who.projectId, open: true, due_to: today(), sort: "due_date", page_size: 100 })}`,
  );
  const overdue = (bills.data ?? []).filter((bill) => bill.due_date < today());
  const [chosen, setChosen] = useState<number[]>([]);
  const [reason, setReason] = useState("");
  const { errors, problem, busy, submit } = useSubmission(
    () => api("/api/collections/disputes", { method: "POST", json: { project_id: who.projectId, customer_id: who.customerId, charge_ids: chosen, reason: reason.trim() } }),
    onDone,
  );
  const billErrors = fieldErrors(errors, "charge_ids");
  const reasonErrors = fieldErrors(errors, "reason");
  const toggle = (id: number, on: boolean) => setChosen(on ? [...chosen, id] : chosen.filter((item) => item !== id));
  return (
    <Dialog title={t("office.collections.dispute.title")} testId="dispute-dialog" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p class="hint">{t("office.collections.dispute.hint", { customer: who.customerName })}</p>
        <fieldset class={`bills${billErrors ? " field-invalid" : ""}`} aria-describedby={billErrors ? "dispute-bills-error" : undefined}>
          <legend>{t("office.collections.dispute.bills")}</legend>
          {bills.error ? <p class="error">{errorText(bills.error)}</p> : null}
          {bills.loading ? <p class="loading">{t("app.loading")}</p> : null}
          {!bills.loading && !overdue.length ? <p class="hint">{t("office.collections.dispute.noBills")}</p> : null}
          {overdue.map((bill) => (
            <label class="check" key={bill.id}>
              <input type="checkbox" data-testid={`dispute-bill-${bill.number}`} checked={chosen.includes(bill.id)} onChange={(e) => toggle(bill.id, (e.target as HTMLInputElement).checked)} />
              {bill.number} · {t("office.collections.dueOn", { day: day(bill.due_date) })} · {money(bill.open_amount, bill.currency)}
            </label>
          ))}
          {billErrors ? (
            <span class="field-error" id="dispute-bills-error" role="alert" data-testid="error-dispute-bills">
              {billErrors.join(" ")}
            </span>
          ) : null}
        </fieldset>
        <Field id="dispute-reason" label={t("office.collections.dispute.reason")} errors={reasonErrors} required>
          <textarea id="dispute-reason" data-testid="dispute-reason" rows={3} value={reason} aria-invalid={Boolean(reasonErrors) || undefined} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <Problem testId="dispute" problem={problem} />
        <Actions testId="dispute" busy={busy} label={t("office.collections.dispute.submit")} onClose={onClose} />
      </form>
    </Dialog>
  );
}
