/**
 * A lease's reminders, and why one did not go out: its tags (a flagged one confirmed by someone with the
 * authority), each critical date with its tiers (the nominal day and the business day it fires on, its state,
 * the reasons, who heard and through which channel), and the dates entered by hand.
 */
import { useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import { t } from "../../i18n";
import { addDays, day, instant, today } from "../format";
import { useResource } from "../hooks";
import { MANUAL_KINDS, named, tierLabel } from "../reminders";
import { can } from "../session";
import { DateInput } from "./DateInput";
import { ErrorPanel, errorText } from "./ErrorPanel";
import { Field, fieldErrors } from "./Field";

interface Person {
  id: number;
  name: string;
}

interface Tag {
  tag: string;
  source: string;
  set_by: Person | null;
  set_at: string | null;
  state: "authorised" | "flagged";
  confirmed_by: Person | null;
  confirmed_at: string | null;
  silences: boolean;
}

interface Reason {
  code: string;
  message: string;
}

interface Recipient {
  user: Person;
  task_id: number | null;
  task_state: string | null;
  sent_at: string | null;
  late: boolean;
  deliveries: { channel: string; state: string; error: string | null }[];
}

interface ExplainedTier {
  tier: number;
  /** The tiers of its date (0 for the drafting of an automatic renewal, which has no tiers). */
  tier_count?: number;
  days_before: number;
  nominal_on: string;
  fire_on: string;
  rolled: boolean;
  roles: string[];
  channels: string[];
  ack_required: boolean;
  state: string;
  reasons: Reason[];
  recipients: Recipient[];
}

interface ExplainedDate {
  date_kind: string;
  date: string;
  source: string;
  label: string | null;
  rules: string;
  tiers: ExplainedTier[];
}

export interface Explanation {
  lease: {
    id: number;
    number: string;
    status: string;
    project_id: number;
    project_name: string;
    ends_on: string | null;
    auto_renew: boolean;
    template_id: number;
    template_name: string;
  };
  today: string;
  tags: Tag[];
  dates: ExplainedDate[];
  warnings: Reason[];
}

const DAYS_BACK = 366;
const DAYS_AHEAD = 730;

interface CriticalDate {
  id: number | null;
  lease_id: number;
  lease_number: string;
  project_id: number;
  date_kind: string;
  date: string;
  label: string | null;
  source: string;
}

export function LeaseReminders({ leaseId }: { leaseId: number }) {
  const explain = useResource<Explanation>(`/api/reminders/explain/${leaseId}`);
  // A year back and two ahead (the list is asked for a window of days).
  const now = today();
  const dates = useResource<CriticalDate[]>(
    `/api/reminders/critical-dates?lease_id=${leaseId}&from=${addDays(now, -DAYS_BACK)}&to=${addDays(now, DAYS_AHEAD)}`,
  );
  const changed = () => {
    explain.reload();
    dates.reload();
  };
  return (
    <>
      <div class="panel" data-testid="why-not">
        <h2>{t("office.reminders.whyNotTitle")}</h2>
        {explain.error ? <ErrorPanel error={explain.error} /> : null}
        {explain.data ? <Explained value={explain.data} leaseId={leaseId} onChange={changed} /> : explain.error ? null : <p class="loading">{t("app.loading")}</p>}
      </div>
      <div class="panel" data-testid="critical-dates">
        <h2>{t("office.reminders.criticalDatesTitle")}</h2>
        <p class="hint">{t("office.reminders.criticalDatesHint")}</p>
        {dates.error ? <ErrorPanel error={dates.error} /> : null}
        <CriticalDates rows={dates.data ?? []} leaseId={leaseId} onChange={changed} />
      </div>
    </>
  );
}

function Explained({ value, leaseId, onChange }: { value: Explanation; leaseId: number; onChange: () => void }) {
  return (
    <>
      <dl class="facts">
        <dt>{t("office.lease.template")}</dt>
        <dd>{value.lease.template_name}</dd>
        <dt>{t("office.reminders.businessDay")}</dt>
        <dd data-testid="explain-today">{day(value.today)}</dd>
        <dt>{t("office.reminders.autoRenew")}</dt>
        <dd>{value.lease.auto_renew ? t("office.reminders.yes") : t("office.reminders.no")}</dd>
      </dl>
      {value.warnings.length ? (
        <ul class="panel notice warnings" data-testid="explain-warnings">
          {value.warnings.map((warning) => (
            <li key={warning.code} data-code={warning.code}>
              {warning.message || named("reason", warning.code)}
            </li>
          ))}
        </ul>
      ) : null}
      <h3>{t("office.reminders.tagsTitle")}</h3>
      <Tags tags={value.tags} leaseId={leaseId} onChange={onChange} />
      {value.dates.length ? (
        value.dates.map((date) => <DateTiers key={`${date.date_kind}-${date.date}-${date.label ?? ""}`} date={date} />)
      ) : (
        <p class="hint">{t("office.reminders.noDates")}</p>
      )}
    </>
  );
}

function Tags({ tags, leaseId, onChange }: { tags: Tag[]; leaseId: number; onChange: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (!tags.length) return <p class="hint">{t("office.reminders.noTags")}</p>;
  const confirm = async (tag: string) => {
    setBusy(tag);
    setProblem(null);
    try {
      await api(`/api/reminders/tag-reviews/${leaseId}`, { method: "POST", json: { tag } });
      onChange();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <table data-testid="explain-tags">
        <caption class="sr-only">{t("office.reminders.tagsTitle")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("office.reminders.tag")}</th>
            <th scope="col">{t("office.reminders.tagSourceTitle")}</th>
            <th scope="col">{t("office.reminders.setBy")}</th>
            <th scope="col">{t("office.lease.status")}</th>
            <th scope="col">{t("office.reminders.silences")}</th>
            <th scope="col">
              <span class="sr-only">{t("office.reminders.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tags.map((tag) => (
            <tr key={tag.tag} class={tag.state === "flagged" ? "flagged" : undefined} data-testid={`tag-${tag.tag}`} data-state={tag.state}>
              <td>{tag.tag}</td>
              <td>{named("tagSource", tag.source)}</td>
              <td>
                {tag.set_by?.name ?? "—"} · {instant(tag.set_at)}
              </td>
              <td>
                <span class={`chip chip-${tag.state}`}>{named("tagState", tag.state)}</span>
                {tag.confirmed_by ? (
                  <span class="hint">
                    {" "}
                    {t("office.reminders.confirmedBy", { name: tag.confirmed_by.name, when: instant(tag.confirmed_at) })}
                  </span>
                ) : null}
              </td>
              <td>{tag.silences ? t("office.reminders.yes") : t("office.reminders.no")}</td>
              <td>
                {tag.state === "flagged" && can("lease:approve") ? (
                  <button type="button" class="primary" data-testid={`confirm-tag-${tag.tag}`} disabled={busy !== null} onClick={() => void confirm(tag.tag)}>
                    {t("office.reminders.confirmTag")}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problem ? (
        <p class="error" role="alert" data-testid="tag-error">
          {problem}
        </p>
      ) : null}
    </>
  );
}

function DateTiers({ date }: { date: ExplainedDate }) {
  const id = `explain-${date.date_kind}`;
  return (
    <section class="explained-date" data-testid={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {named("dateKind", date.date_kind)} · {day(date.date)}
        {date.label ? ` · ${date.label}` : ""}{" "}
        <span class="chip">{named("dateSource", date.source)}</span> <span class="chip">{named("rulesSource", date.rules)}</span>
      </h3>
      {date.tiers.length ? (
        <div class="grid-scroll">
          <table>
            <caption class="sr-only">{named("dateKind", date.date_kind)}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.reminders.tier")}</th>
                <th scope="col">{t("office.reminders.daysBefore")}</th>
                <th scope="col">{t("office.reminders.fireOn")}</th>
                <th scope="col">{t("office.reminders.recipients")}</th>
                <th scope="col">{t("office.lease.status")}</th>
                <th scope="col">{t("office.reminders.reasons")}</th>
                <th scope="col">{t("office.reminders.delivered")}</th>
              </tr>
            </thead>
            <tbody>
              {date.tiers.map((tier) => (
                <tr key={tier.tier} data-testid={`${id}-tier-${tier.tier}`} data-state={tier.state}>
                  <td class="num">{tier.tier ? tierLabel(tier.tier, tier.tier_count ?? date.tiers.length) : "—"}</td>
                  <td class="num">{t("office.reminders.daysCount", { days: tier.days_before })}</td>
                  <td data-testid={`${id}-tier-${tier.tier}-fire`}>
                    {day(tier.fire_on)}
                    {tier.rolled ? (
                      <span class="hint rolled" data-testid={`${id}-tier-${tier.tier}-rolled`}>
                        {" "}
                        {t("office.reminders.rolled", { nominal: day(tier.nominal_on) })}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    {tier.roles.map((role) => named("role", role)).join(t("office.reminders.listSeparator")) || "—"}
                    <span class="hint">
                      {" · "}
                      {[named("channel", "inbox"), ...tier.channels.map((channel) => named("channel", channel))].join(t("office.reminders.listSeparator"))}
                    </span>
                    {tier.ack_required ? <span class="hint"> · {t("office.reminders.ackRequired")}</span> : null}
                  </td>
                  <td>
                    <span class={`chip chip-${tier.state}`}>{named("tierState", tier.state)}</span>
                  </td>
                  <td>
                    {tier.reasons.length ? (
                      <ul class="inline-list" data-testid={`${id}-tier-${tier.tier}-reasons`}>
                        {tier.reasons.map((reason, index) => (
                          <li key={index} data-code={reason.code}>
                            {reason.message || named("reason", reason.code)}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td>
                    <Recipients recipients={tier.recipients} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="hint">{t("office.reminders.noTiers")}</p>
      )}
    </section>
  );
}

function Recipients({ recipients }: { recipients: Recipient[] }) {
  if (!recipients.length) return <>—</>;
  return (
    <ul class="inline-list recipients">
      {recipients.map((recipient) => (
        <li key={recipient.task_id ?? recipient.user.id}>
          <strong>{recipient.user.name}</strong>
          {recipient.task_state ? (
            <>
              {" "}
              <span class={`chip chip-${recipient.task_state}`}>{named("taskState", recipient.task_state)}</span>
            </>
          ) : null}
          {recipient.sent_at ? <span class="hint"> {instant(recipient.sent_at)}</span> : null}
          {recipient.late ? (
            <>
              {" "}
              <span class="chip chip-late">{t("office.reminders.late")}</span>
            </>
          ) : null}
          {recipient.deliveries.length ? (
            <ul class="inline-list deliveries">
              {recipient.deliveries.map((delivery) => (
                <li key={delivery.channel} class={delivery.error ? "error" : undefined}>
                  {t("office.reminders.deliveryLine", { channel: named("channel", delivery.channel), state: named("delivery", delivery.state) })}
                  {delivery.error ? t("office.reminders.deliveryError", { error: delivery.error }) : ""}
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function CriticalDates({ rows, leaseId, onChange }: { rows: CriticalDate[]; leaseId: number; onChange: () => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const remove = async (id: number) => {
    setProblem(null);
    try {
      await api(`/api/reminders/critical-dates/${id}`, { method: "DELETE" });
      onChange();
    } catch (error) {
      setProblem(errorText(error));
    }
  };
  const mayWrite = can("lease:write");
  return (
    <>
      {rows.length ? (
        <table data-testid="critical-dates-list">
          <caption class="sr-only">{t("office.reminders.criticalDatesTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("office.reminders.dateKindTitle")}</th>
              <th scope="col">{t("office.reminders.criticalDate")}</th>
              <th scope="col">{t("office.reminders.label")}</th>
              <th scope="col">{t("office.reminders.dateSourceTitle")}</th>
              {mayWrite ? (
                <th scope="col">
                  <span class="sr-only">{t("office.reminders.actions")}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={row.id ?? `derived-${index}`} data-testid={`critical-date-${row.date_kind}`}>
                <td>{named("dateKind", row.date_kind)}</td>
                <td>{day(row.date)}</td>
                <td>{row.label ?? "—"}</td>
                <td>{named("dateSource", row.source)}</td>
                {mayWrite ? (
                  <td>
                    {row.id !== null && row.source === "manual" ? (
                      <button type="button" data-testid={`delete-critical-date-${row.id}`} onClick={() => void remove(row.id!)}>
                        {t("office.reminders.delete")}
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="hint">{t("office.reminders.noDates")}</p>
      )}
      {problem ? (
        <p class="error" role="alert" data-testid="critical-date-error">
          {problem}
        </p>
      ) : null}
      {mayWrite ? <NewCriticalDate leaseId={leaseId} onAdded={onChange} /> : null}
    </>
  );
}

function NewCriticalDate({ leaseId, onAdded }: { leaseId: number; onAdded: () => void }) {
  const [kind, setKind] = useState<string>(MANUAL_KINDS[0]);
  const [date, setDate] = useState("");
  const [label, setLabel] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await api("/api/reminders/critical-dates", {
        method: "POST",
        json: { lease_id: leaseId, date_kind: kind, date: date.trim() || null, label: label.trim() || null },
      });
      setDate("");
      setLabel("");
      setErrors({});
      onAdded();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) {
        setErrors(error.fields);
        setProblem(error.fields.lease_id ? error.fields.lease_id.join(" ") : t("office.form.fix"));
      } else {
        setErrors({});
        setProblem(errorText(error));
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form-grid compact" data-testid="new-critical-date" onSubmit={(event) => void submit(event)} noValidate>
      <h3 class="wide">{t("office.reminders.addDate")}</h3>
      <Field id="cd-kind" label={t("office.reminders.dateKindTitle")} errors={fieldErrors(errors, "date_kind")} required>
        <select id="cd-kind" data-testid="cd-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
          {MANUAL_KINDS.map((value) => (
            <option key={value} value={value}>
              {named("dateKind", value)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="cd-date" label={t("office.reminders.criticalDate")} errors={fieldErrors(errors, "date")} required>
        <DateInput id="cd-date" testId="cd-date" value={date} onChange={setDate} invalid={Boolean(errors.date)} describedBy={errors.date ? "cd-date-error" : undefined} />
      </Field>
      <Field id="cd-label" label={t("office.reminders.label")} errors={fieldErrors(errors, "label")}>
        <input id="cd-label" data-testid="cd-label" value={label} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
      </Field>
      {kind === "termination_notice" ? <p class="hint wide">{t("office.reminders.terminationHint")}</p> : null}
      {problem ? (
        <p class="error wide" role="alert" data-testid="cd-error">
          {problem}
        </p>
      ) : null}
      <div class="actions wide">
        <button type="submit" class="primary" data-testid="cd-add" disabled={busy}>
          {t("office.reminders.addDateButton")}
        </button>
      </div>
    </form>
  );
}
