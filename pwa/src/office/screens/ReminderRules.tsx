/**
 * Reminder rules of a contract template: for each date kind its tiers (days before, who hears, through which
 * channels, whether it must be acknowledged), saved or set back to the defaults by head office.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import { t } from "../../i18n";
import { Choose } from "../components/Choose";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { fieldErrors } from "../components/Field";
import { useOptions } from "../components/Options";
import { useResource } from "../hooks";
import { CHANNELS, RECIPIENT_ROLES, type Rule, type TierRow, named, rulesBody, tierLabel, tierNumbers, toRows, toggled } from "../reminders";
import { can } from "../session";
import { useQueryState } from "../urlstate";

export function ReminderRules() {
  const [filters, setFilters] = useQueryState(["template_id"]);
  const templates = useOptions("/api/contract-templates?sort=code");
  // The first template until the user picks one.
  const templateId = filters.template_id || templates[0]?.value || "";
  const rules = useResource<Rule[]>(templateId ? `/api/reminders/rules?template_id=${templateId}` : null);
  const editable = can("lease:configure");
  return (
    <section class="page">
      <h1>{t("office.nav.reminderRules")}</h1>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          {t("office.lease.template")}
          <Choose testId="rules-template" value={templateId} options={templates} empty={t("office.filter.choose")} onChange={(template_id) => setFilters({ template_id })} />
        </label>
      </form>
      <p class="hint">{editable ? t("office.reminders.rulesHint") : t("office.reminders.rulesReadOnly")}</p>
      {rules.error ? <ErrorPanel error={rules.error} /> : null}
      {!templateId ? <p class="hint">{t("office.reminders.chooseTemplate")}</p> : null}
      {rules.loading && !rules.data ? <p class="loading">{t("app.loading")}</p> : null}
      {(rules.data ?? []).map((rule) => (
        <RuleForm key={`${templateId}-${rule.date_kind}`} rule={rule} editable={editable} />
      ))}
    </section>
  );
}

/** Server messages shown on a row's own field. */
const PLACED = /^tiers\.\d+\.(days_before|roles|channels)(\.|$)/;

const EMPTY_TIER: TierRow = { days_before: "", roles: ["account_manager"], channels: [], ack_required: false };

function RuleForm(props: { rule: Rule; editable: boolean }) {
  const [rule, setRule] = useState(props.rule);
  const [rows, setRows] = useState<TierRow[]>(() => toRows(props.rule));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setRule(props.rule);
    setRows(toRows(props.rule));
  }, [props.rule]);
  const kind = rule.date_kind;
  const numbers = tierNumbers(rows);
  const counted = numbers.filter((number) => number !== null).length;
  const change = (index: number, changes: Partial<TierRow>) => {
    setRows(rows.map((row, at) => (at === index ? { ...row, ...changes } : row)));
    setSaved(null);
  };
  const send = async (method: "PUT" | "DELETE") => {
    setBusy(true);
    setProblem(null);
    setSaved(null);
    const path = `/api/reminders/rules/${rule.template_id}/${kind}`;
    try {
      if (method === "PUT") {
        const stored = await api<Rule>(path, { method, json: rulesBody(rows) });
        setRule(stored);
        setRows(toRows(stored));
        setSaved(t("office.reminders.saved"));
      } else {
        await api(path, { method });
        // Back to the defaults: read them again.
        const all = await api<Rule[]>(`/api/reminders/rules?template_id=${rule.template_id}`);
        const fresh = all.find((item) => item.date_kind === kind);
        if (fresh) {
          setRule(fresh);
          setRows(toRows(fresh));
        }
        setSaved(t("office.reminders.resetDone"));
      }
      setErrors({});
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length) {
        setErrors(error.fields);
        setProblem(t("office.form.fix"));
      } else {
        setErrors({});
        setProblem(errorText(error));
      }
    } finally {
      setBusy(false);
    }
  };
  const own = (index: number, field: string) => fieldErrors(errors, `tiers.${index}.${field}`);
  // Messages not about one row's days, roles or channels (the list as a whole, two tiers on one day).
  const general = Object.entries(errors)
    .filter(([key]) => !PLACED.test(key))
    .flatMap(([, messages]) => messages);
  return (
    <form
      class="panel rule"
      data-testid={`rule-${kind}`}
      aria-labelledby={`rule-${kind}-title`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void send("PUT");
      }}
    >
      <div class="page-head">
        <h2 id={`rule-${kind}-title`}>
          {named("dateKind", kind)}{" "}
          <span class={`chip ${rule.is_default ? "chip-default" : "chip-custom"}`} data-testid={`rule-${kind}-source`}>
            {rule.is_default ? t("office.reminders.defaultRule") : t("office.reminders.customRule")}
          </span>
        </h2>
      </div>
      <div class="grid-scroll">
        <table>
          <caption class="sr-only">{named("dateKind", kind)}</caption>
          <thead>
            <tr>
              <th scope="col">{t("office.reminders.tier")}</th>
              <th scope="col">{t("office.reminders.daysBefore")}</th>
              <th scope="col">{t("office.reminders.recipients")}</th>
              <th scope="col">{t("office.reminders.channels")}</th>
              <th scope="col">{t("office.reminders.ackRequired")}</th>
              {props.editable ? (
                <th scope="col">
                  <span class="sr-only">{t("office.reminders.actions")}</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {!rows.length ? (
              <tr>
                <td colSpan={props.editable ? 6 : 5} class="empty">
                  {t("office.reminders.noTiers")}
                </td>
              </tr>
            ) : null}
            {rows.map((row, index) => {
              const id = `rule-${kind}-${index}`;
              const daysErrors = own(index, "days_before");
              const tierName = numbers[index] === null ? "–" : tierLabel(numbers[index]!, counted);
              return (
                <tr key={index} data-testid={`${id}`}>
                  <td class="num" data-testid={`${id}-tier`}>
                    {tierName}
                  </td>
                  <td>
                    {props.editable ? (
                      <div class={`field${daysErrors ? " field-invalid" : ""}`}>
                        <label class="sr-only" for={`${id}-days`}>
                          {t("office.reminders.daysBeforeOf", { tier: tierName })}
                        </label>
                        <input
                          id={`${id}-days`}
                          data-testid={`${id}-days`}
                          class="days"
                          inputMode="numeric"
                          value={row.days_before}
                          aria-invalid={daysErrors ? true : undefined}
                          aria-describedby={daysErrors ? `${id}-days-error` : undefined}
                          onInput={(e) => change(index, { days_before: (e.target as HTMLInputElement).value })}
                        />
                        {daysErrors ? (
                          <span class="field-error" id={`${id}-days-error`} role="alert" data-testid={`error-${id}-days`}>
                            {daysErrors.join(" ")}
                          </span>
                        ) : null}
                      </div>
                    ) : (
                      t("office.reminders.daysCount", { days: row.days_before })
                    )}
                  </td>
                  <td>
                    <Checks
                      id={`${id}-roles`}
                      legend={t("office.reminders.recipientsOf", { tier: tierName })}
                      values={RECIPIENT_ROLES}
                      chosen={row.roles}
                      text={(value) => named("role", value)}
                      editable={props.editable}
                      errors={own(index, "roles")}
                      onChange={(roles) => change(index, { roles })}
                    />
                  </td>
                  <td>
                    <Checks
                      id={`${id}-channels`}
                      legend={t("office.reminders.channelsOf", { tier: tierName })}
                      values={CHANNELS}
                      chosen={row.channels}
                      text={(value) => named("channel", value)}
                      editable={props.editable}
                      errors={own(index, "channels")}
                      onChange={(channels) => change(index, { channels })}
                    />
                  </td>
                  <td>
                    {props.editable ? (
                      <label class="check">
                        <input
                          type="checkbox"
                          data-testid={`${id}-ack`}
                          checked={row.ack_required}
                          onChange={(e) => change(index, { ack_required: (e.target as HTMLInputElement).checked })}
                        />
                        {t("office.reminders.ackRequiredShort")}
                      </label>
                    ) : row.ack_required ? (
                      t("office.reminders.yes")
                    ) : (
                      t("office.reminders.no")
                    )}
                  </td>
                  {props.editable ? (
                    <td>
                      <button
                        type="button"
                        data-testid={`${id}-remove`}
                        aria-label={t("office.reminders.removeTierOf", { tier: tierName })}
                        onClick={() => {
                          setRows(rows.filter((_, at) => at !== index));
                          setErrors({});
                          setSaved(null);
                        }}
                      >
                        {t("office.form.remove")}
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="hint">{t("office.reminders.inboxAlways")}</p>
      {general.length ? (
        <p class="error" role="alert" data-testid={`rule-${kind}-tiers-error`}>
          {general.join(" ")}
        </p>
      ) : null}
      {problem ? (
        <p class="error" role="alert" data-testid={`rule-${kind}-error`}>
          {problem}
        </p>
      ) : null}
      {saved ? (
        <p class="ok" role="status" data-testid={`rule-${kind}-saved`}>
          {saved}
        </p>
      ) : null}
      {props.editable ? (
        <div class="actions">
          <button
            type="button"
            data-testid={`rule-${kind}-add`}
            onClick={() => {
              setRows([...rows, { ...EMPTY_TIER }]);
              setSaved(null);
            }}
          >
            {t("office.reminders.addTier")}
          </button>
          <button type="submit" class="primary" data-testid={`rule-${kind}-save`} disabled={busy}>
            {t("office.reminders.save")}
          </button>
          {!rule.is_default ? (
            <button type="button" data-testid={`rule-${kind}-reset`} disabled={busy} onClick={() => void send("DELETE")}>
              {t("office.reminders.reset")}
            </button>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

/** Codes chosen with checkboxes (or listed, read-only), with the server's message for the group. */
function Checks(props: {
  id: string;
  legend: string;
  values: readonly string[];
  chosen: string[];
  text: (value: string) => string;
  editable: boolean;
  errors?: string[];
  onChange: (chosen: string[]) => void;
}) {
  if (!props.editable) {
    return <span data-testid={props.id}>{props.chosen.length ? props.chosen.map(props.text).join(t("office.reminders.listSeparator")) : "—"}</span>;
  }
  return (
    <fieldset class="checks" data-testid={props.id} aria-describedby={props.errors ? `${props.id}-error` : undefined}>
      <legend class="sr-only">{props.legend}</legend>
      {props.values.map((value) => (
        <label class="check" key={value}>
          <input
            type="checkbox"
            value={value}
            data-testid={`${props.id}-${value}`}
            checked={props.chosen.includes(value)}
            onChange={(e) => props.onChange(toggled(props.chosen, value, (e.target as HTMLInputElement).checked, props.values))}
          />
          {props.text(value)}
        </label>
      ))}
      {props.errors ? (
        <span class="field-error" id={`${props.id}-error`} role="alert" data-testid={`error-${props.id}`}>
          {props.errors.join(" ")}
        </span>
      ) : null}
    </fieldset>
  );
}
