/**
 * A project's dunning policy for one customer tier: on or off, the thresholds, the channels, the hours to
 * pay, and the message templates per tier, step and language with the placeholders the API describes. The
 * server's 422 is shown on the field it names (a template's subject or body opens that template).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import {
  CHANNELS,
  CUSTOMER_TIERS,
  LANGUAGES,
  PLACEHOLDERS,
  type Policy,
  type PolicyForm,
  STEPS,
  TEMPLATE_TIERS,
  THRESHOLDS,
  insertAt,
  named,
  placeholdersFrom,
  policyBody,
  policyForm,
  templateKey,
  templateName,
  templateOfError,
  templatesDescription,
} from "../collections";
import { useResource, useSubmission } from "../hooks";
import { can } from "../session";
import { ErrorPanel } from "./ErrorPanel";
import { Field, fieldErrors } from "./Field";

/** The placeholders from the OpenAPI document (the list the server checks templates against). */
function usePlaceholders(): string[] {
  const [found, setFound] = useState<string[]>(PLACEHOLDERS);
  useEffect(() => {
    api<unknown>("/api/openapi.json")
      .then((document) => setFound(placeholdersFrom(templatesDescription(document))))
      .catch(() => undefined);
  }, []);
  return found;
}

export function DunningPolicy({ projectId }: { projectId: string }) {
  const policies = useResource<Policy[]>(`/api/collections/policies/${projectId}`);
  const [tier, setTier] = useState<(typeof CUSTOMER_TIERS)[number]>("standard");
  if (policies.error) return <ErrorPanel error={policies.error} />;
  if (!policies.data) return <p class="loading">{t("app.loading")}</p>;
  const policy = policies.data.find((item) => item.customer_tier === tier);
  return (
    <div data-testid="policy">
      <p class="hint">{t("office.collections.policy.hint")}</p>
      <div class="tabs" role="tablist" aria-label={t("office.collections.policy.customerTier")}>
        {CUSTOMER_TIERS.map((value) => (
          <button key={value} type="button" role="tab" id={`policy-tab-${value}`} aria-controls="policy-panel" aria-selected={tier === value} data-testid={`policy-tier-${value}`} onClick={() => setTier(value)}>
            {named("customerTier", value)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="policy-panel" aria-labelledby={`policy-tab-${tier}`}>
        {policy ? <PolicyEditor key={`${tier}-${policies.data.indexOf(policy)}`} projectId={projectId} policy={policy} onSaved={policies.reload} /> : null}
      </div>
    </div>
  );
}

function PolicyEditor({ projectId, policy, onSaved }: { projectId: string; policy: Policy; onSaved: () => void }) {
  const editable = can("collections:write");
  const placeholders = usePlaceholders();
  const [form, setForm] = useState<PolicyForm>(() => policyForm(policy));
  const [current, setCurrent] = useState(templateKey("friendly", "first", "zh_CN"));
  const [saved, setSaved] = useState(false);
  const body = useRef<HTMLTextAreaElement>(null);
  const { errors, problem, busy, submit } = useSubmission(
    async () => {
      setSaved(false);
      await api(`/api/collections/policies/${projectId}/${policy.customer_tier}`, { method: "PUT", json: policyBody(form) });
    },
    () => {
      setSaved(true);
      setForm((value) => ({ ...value, templates: {} }));
      onSaved();
    },
  );
  // A refused template opens in the editor, so its message stands under the field it is about.
  useEffect(() => {
    const refused = Object.keys(errors).map(templateOfError).find(Boolean);
    if (refused) setCurrent(refused);
  }, [errors]);
  const [tier, step, language] = current.split(".");
  const stored = policy.templates[current] ?? null;
  const draft = current in form.templates ? form.templates[current] : stored;
  const edit = (changes: Partial<{ subject: string; body: string }>) =>
    setForm({ ...form, templates: { ...form.templates, [current]: { subject: draft?.subject ?? "", body: draft?.body ?? "", ...changes } } });
  const insert = (name: string) => {
    const area = body.current;
    const next = insertAt(draft?.body ?? "", name, area?.selectionStart ?? null, area?.selectionEnd ?? null);
    edit({ body: next.text });
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(next.caret, next.caret);
    });
  };
  const subjectField = `templates.${current}.subject`;
  const bodyField = `templates.${current}.body`;
  const changed = Object.keys(form.templates);
  return (
    <form onSubmit={(event) => void submit(event)} noValidate data-testid={`policy-${policy.customer_tier}`}>
      <p class="hint" data-testid="policy-source">
        {policy.stored ? t("office.collections.policy.stored") : t("office.collections.policy.defaults")}
      </p>
      <fieldset disabled={!editable}>
        <legend>{t("office.collections.policy.rules")}</legend>
        <label class="check">
          <input type="checkbox" data-testid="policy-enabled" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: (e.target as HTMLInputElement).checked })} />
          {t("office.collections.policy.enabled")}
        </label>
        <div class="form-grid compact">
          {THRESHOLDS.map((name) => (
            <Field key={name} id={`policy-${name}`} label={named("threshold", name)} errors={fieldErrors(errors, name)}>
              <input
                id={`policy-${name}`}
                data-testid={`policy-${name}`}
                inputMode="numeric"
                value={form.thresholds[name]}
                aria-invalid={Boolean(errors[name]) || undefined}
                onInput={(e) => setForm({ ...form, thresholds: { ...form.thresholds, [name]: (e.target as HTMLInputElement).value } })}
              />
            </Field>
          ))}
          <Field id="policy-pay_within_hours" label={named("threshold", "pay_within_hours")} errors={fieldErrors(errors, "pay_within_hours")}>
            <input
              id="policy-pay_within_hours"
              data-testid="policy-pay_within_hours"
              inputMode="numeric"
              value={form.pay_within_hours}
              aria-invalid={Boolean(errors.pay_within_hours) || undefined}
              onInput={(e) => setForm({ ...form, pay_within_hours: (e.target as HTMLInputElement).value })}
            />
          </Field>
        </div>
        <fieldset class={fieldErrors(errors, "channels") ? "field-invalid" : undefined}>
          <legend>{t("office.collections.channels")}</legend>
          {CHANNELS.map((channel) => (
            <label class="check" key={channel}>
              <input
                type="checkbox"
                data-testid={`policy-channel-${channel}`}
                checked={form.channels.includes(channel)}
                onChange={(e) =>
                  setForm({ ...form, channels: (e.target as HTMLInputElement).checked ? [...form.channels, channel] : form.channels.filter((item) => item !== channel) })
                }
              />
              {named("channel", channel)}
            </label>
          ))}
          {fieldErrors(errors, "channels") ? <span class="field-error" role="alert">{fieldErrors(errors, "channels")!.join(" ")}</span> : null}
        </fieldset>
      </fieldset>
      <fieldset disabled={!editable} class="templates">
        <legend>{t("office.collections.policy.templates")}</legend>
        <div class="filters">
          <label>
            {t("office.collections.tierTitle")}
            <select data-testid="template-tier" value={tier} onChange={(e) => setCurrent(templateKey((e.target as HTMLSelectElement).value, step, language))}>
              {TEMPLATE_TIERS.map((value) => (
                <option key={value} value={value}>
                  {named("tier", value)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("office.collections.policy.step")}
            <select data-testid="template-step" value={step} onChange={(e) => setCurrent(templateKey(tier, (e.target as HTMLSelectElement).value, language))}>
              {STEPS.map((value) => (
                <option key={value} value={value}>
                  {named("step", value)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("office.collections.policy.language")}
            <select data-testid="template-language" value={language} onChange={(e) => setCurrent(templateKey(tier, step, (e.target as HTMLSelectElement).value))}>
              {LANGUAGES.map((value) => (
                <option key={value} value={value}>
                  {named("language", value)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p class="hint" data-testid="template-source">
          {current in form.templates
            ? form.templates[current] === null
              ? t("office.collections.policy.willReset")
              : t("office.collections.policy.changed")
            : stored
              ? t("office.collections.policy.ownTemplate")
              : t("office.collections.policy.builtIn")}
        </p>
        <Field id="template-subject" label={t("office.collections.subject")} errors={fieldErrors(errors, subjectField)}>
          <input
            id="template-subject"
            data-testid="template-subject"
            value={draft?.subject ?? ""}
            placeholder={t("office.collections.policy.builtInPlaceholder")}
            aria-invalid={Boolean(errors[subjectField]) || undefined}
            aria-describedby={errors[subjectField] ? "template-subject-error" : undefined}
            onInput={(e) => edit({ subject: (e.target as HTMLInputElement).value })}
          />
        </Field>
        <Field id="template-body" label={t("office.collections.body")} errors={fieldErrors(errors, bodyField)}>
          <textarea
            ref={body}
            id="template-body"
            data-testid="template-body"
            rows={7}
            value={draft?.body ?? ""}
            placeholder={t("office.collections.policy.builtInPlaceholder")}
            aria-invalid={Boolean(errors[bodyField]) || undefined}
            aria-describedby={errors[bodyField] ? "template-body-error" : "template-placeholders"}
            onInput={(e) => edit({ body: (e.target as HTMLTextAreaElement).value })}
          />
        </Field>
        <div class="placeholders" id="template-placeholders">
          <span class="hint">{t("office.collections.policy.placeholders")}</span>{" "}
          {placeholders.map((name) => (
            <button key={name} type="button" class="chip chip-toggle" data-testid={`placeholder-${name}`} title={t("office.collections.policy.insert")} onClick={() => insert(name)}>
              {`\${${name}}`}
            </button>
          ))}
        </div>
        {stored || current in form.templates ? (
          <div class="actions">
            <button type="button" data-testid="template-reset" onClick={() => setForm({ ...form, templates: { ...form.templates, [current]: null } })}>
              {t("office.collections.policy.reset")}
            </button>
          </div>
        ) : null}
        {changed.length ? (
          <p class="hint" data-testid="templates-changed">
            {t("office.collections.policy.changedList", { list: changed.map(templateName).join(t("office.reminders.listSeparator")) })}
          </p>
        ) : null}
      </fieldset>
      {problem ? (
        <p class="error" role="alert" data-testid="policy-error">
          {problem}
        </p>
      ) : null}
      {Object.keys(errors).length ? (
        <p class="error" role="alert" data-testid="policy-fix">
          {t("office.collections.policy.fix")}
        </p>
      ) : null}
      {editable ? (
        <div class="actions">
          <button type="submit" class="primary" data-testid="policy-save" disabled={busy}>
            {t("office.collections.save")}
          </button>
          {saved ? (
            <span class="ok" role="status" data-testid="policy-saved">
              {t("office.collections.policy.saved")}
            </span>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}
