/**
 * A new lease from a template: the template's required fields enforced, codes from selects, the schedule
 * previewed by the engine (on a saved draft) before signing; the server's messages shown on their fields.
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import { t } from "../../i18n";
import { DateInput } from "../components/DateInput";
import { errorText } from "../components/ErrorPanel";
import { Field, fieldErrors } from "../components/Field";
import { type Schedule, ScheduleTable, chargeName } from "../components/Schedule";
import { type Choice, SearchSelect } from "../components/SearchSelect";
import { Choose } from "../components/Choose";
import { useOptions } from "../components/Options";
import { navigate } from "../../router";
import { useResource } from "../hooks";

interface Template {
  id: number;
  code: string;
  name: string;
  required_fields: string[];
  frequency: string;
  timing: string;
  notice_period_days: number;
  deposit_months: string;
  is_active: boolean;
}

export const FREQUENCIES = ["monthly", "bimonthly", "quarterly", "semiannual", "annual", "one_off"];
export const TIMINGS = ["prepaid", "arrears"];
export const CHARGE_TYPES = ["rent", "service_fee", "parking", "other"];
const ALWAYS_REQUIRED = ["customer_id", "asset_ids", "starts_on", "ends_on", "charge_lines"];

interface ChargeRow {
  charge_type: string;
  monthly_amount: string;
}

interface Draft {
  id: number;
  status: string;
  number: string;
}

export function NewLease() {
  const templates = useResource<Template[]>("/api/contract-templates?is_active=true&page_size=100");
  const projects = useOptions("/api/projects");
  const managers = useOptions("/api/users?is_active=true", (row) => `${row.display_name as string} · ${row.username as string}`);
  const [templateId, setTemplateId] = useState("");
  const [projectId, setProjectId] = useState("");
  const [customer, setCustomer] = useState<Choice | null>(null);
  const [asset, setAsset] = useState<Choice | null>(null);
  const [startsOn, setStartsOn] = useState("");
  const [endsOn, setEndsOn] = useState("");
  const [frequency, setFrequency] = useState("");
  const [timing, setTiming] = useState("");
  const [charges, setCharges] = useState<ChargeRow[]>([{ charge_type: "rent", monthly_amount: "" }]);
  const [deposit, setDeposit] = useState("");
  const [notice, setNotice] = useState("");
  const [manager, setManager] = useState("");
  const [purpose, setPurpose] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [preview, setPreview] = useState<Schedule | null>(null);
  const [busy, setBusy] = useState(false);

  const template = templates.data?.find((item) => String(item.id) === templateId) ?? null;
  useEffect(() => {
    if (!template) return;
    setFrequency(template.frequency);
    setTiming(template.timing);
    setNotice(String(template.notice_period_days));
  }, [templateId]);
  // Any change after a preview makes the preview stale: the next one saves the draft again.
  useEffect(() => setPreview(null), [templateId, projectId, customer, asset, startsOn, endsOn, frequency, timing, JSON.stringify(charges), deposit, notice, manager, purpose]);

  const required = new Set([...ALWAYS_REQUIRED, ...(template?.required_fields ?? [])]);
  const body = () => {
    const values: Record<string, unknown> = {
      template_id: Number(templateId),
      project_id: projectId ? Number(projectId) : undefined,
      customer_id: customer?.id ?? null,
      asset_ids: asset ? [asset.id] : [],
      starts_on: startsOn || null,
      ends_on: endsOn || null,
      frequency: frequency || undefined,
      timing: timing || undefined,
      charge_lines: charges
        .filter((row) => row.monthly_amount.trim())
        .map((row) => ({ charge_type: row.charge_type, monthly_amount: row.monthly_amount.trim() })),
      deposit_amount: deposit.trim() || null,
      notice_period_days: notice ? Number(notice) : null,
      account_manager_id: manager ? Number(manager) : null,
      purpose: purpose.trim() || null,
    };
    return values;
  };

  /** What the template requires and the form lacks, as field messages (the server says the same at signing). */
  const missing = (): Record<string, string[]> => {
    const values = body();
    const found: Record<string, string[]> = {};
    if (!templateId) found.template_id = [t("office.form.required")];
    for (const name of required) {
      const value = values[name];
      if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
        found[name] = [t("office.form.required")];
      }
    }
    return found;
  };

  const save = async (): Promise<Draft | null> => {
    const local = missing();
    setErrors(local);
    if (Object.keys(local).length) {
      setProblem(t("office.form.fix"));
      return null;
    }
    try {
      const saved = draft
        ? await api<Draft>(`/api/leases/${draft.id}`, { method: "PATCH", json: { ...body(), template_id: undefined } })
        : await api<Draft>("/api/leases", { method: "POST", json: body() });
      setDraft(saved);
      setErrors({});
      setProblem(null);
      return saved;
    } catch (error) {
      showError(error);
      return null;
    }
  };

  const showError = (error: unknown) => {
    if (error instanceof ApiError && Object.keys(error.fields).length) {
      setErrors(error.fields);
      setProblem(t("office.form.fix"));
    } else {
      setProblem(errorText(error));
    }
  };

  const runPreview = async () => {
    setBusy(true);
    try {
      const saved = await save();
      if (saved) setPreview(await api<Schedule>(`/api/leases/${saved.id}/schedule/preview`));
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const sign = async () => {
    setBusy(true);
    try {
      const saved = await save();
      if (!saved) return;
      await api(`/api/leases/${saved.id}/sign`, { method: "POST" });
      navigate(`/office/leases/${saved.id}`);
    } catch (error) {
      showError(error);
    } finally {
      setBusy(false);
    }
  };

  const err = (name: string) => fieldErrors(errors, name);
  return (
    <section class="page" data-testid="new-lease">
      <h1>{t("office.nav.newLease")}</h1>
      {draft ? <p class="hint" data-testid="draft-number">{t("office.newLease.draft", { number: draft.number })}</p> : null}
      <form class="form-grid" onSubmit={(event) => event.preventDefault()} noValidate>
        <Field id="template_id" label={t("office.lease.template")} errors={err("template_id")} required>
          <select id="template_id" data-testid="template" value={templateId} disabled={Boolean(draft)} onChange={(e) => setTemplateId((e.target as HTMLSelectElement).value)}>
            <option value="">{t("office.filter.choose")}</option>
            {(templates.data ?? []).map((item) => (
              <option key={item.id} value={String(item.id)}>
                {item.name} ({item.code})
              </option>
            ))}
          </select>
        </Field>
        <Field id="project_id" label={t("office.lease.project")} errors={err("project_id")} required>
          <Choose id="project_id" testId="project" value={projectId} options={projects} empty={t("office.filter.choose")} onChange={(value) => { setProjectId(value); setAsset(null); }} />
        </Field>
        <Field id="asset_ids" label={t("office.lease.asset")} errors={err("asset_ids")} required={required.has("asset_ids")}>
          <SearchSelect
            id="asset_ids"
            testId="asset"
            endpoint="/api/assets"
            params={{ project_id: projectId || undefined, status: "vacant" }}
            label={(row) => `${row.code as string} · ${row.name as string}`}
            value={asset}
            onChange={setAsset}
            invalid={Boolean(err("asset_ids"))}
          />
        </Field>
        <Field id="customer_id" label={t("office.lease.customer")} errors={err("customer_id")} required={required.has("customer_id")}>
          <SearchSelect
            id="customer_id"
            testId="customer"
            endpoint="/api/customers"
            label={(row) => `${row.name as string} (${row.code as string})`}
            value={customer}
            onChange={setCustomer}
            invalid={Boolean(err("customer_id"))}
          />
        </Field>
        <Field id="starts_on" label={t("office.lease.starts")} errors={err("starts_on")} required={required.has("starts_on")}>
          <DateInput id="starts_on" testId="starts-on" value={startsOn} onChange={setStartsOn} invalid={Boolean(err("starts_on"))} />
        </Field>
        <Field id="ends_on" label={t("office.lease.ends")} errors={err("ends_on")} required={required.has("ends_on")}>
          <DateInput id="ends_on" testId="ends-on" value={endsOn} onChange={setEndsOn} invalid={Boolean(err("ends_on"))} />
        </Field>
        <Field id="frequency" label={t("office.lease.frequency")} errors={err("frequency")} required={required.has("frequency")}>
          <select id="frequency" data-testid="frequency" value={frequency} onChange={(e) => setFrequency((e.target as HTMLSelectElement).value)}>
            <option value="">{t("office.newLease.fromTemplate")}</option>
            {FREQUENCIES.map((code) => (
              <option key={code} value={code}>
                {t(`office.frequency.${code}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="timing" label={t("office.lease.timing")} errors={err("timing")} required={required.has("timing")}>
          <select id="timing" value={timing} onChange={(e) => setTiming((e.target as HTMLSelectElement).value)}>
            <option value="">{t("office.newLease.fromTemplate")}</option>
            {TIMINGS.map((code) => (
              <option key={code} value={code}>
                {t(`office.timing.${code}`)}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class="wide">
          <legend>
            {t("office.lease.chargeLines")}
            <span class="required" aria-hidden="true"> *</span>
          </legend>
          {charges.map((row, index) => (
            <div class="row" key={index}>
              <label class="sr-only" for={`charge-type-${index}`}>
                {t("office.schedule.charge")}
              </label>
              <select
                id={`charge-type-${index}`}
                value={row.charge_type}
                onChange={(e) => setCharges(charges.map((item, i) => (i === index ? { ...item, charge_type: (e.target as HTMLSelectElement).value } : item)))}
              >
                {CHARGE_TYPES.map((code) => (
                  <option key={code} value={code}>
                    {chargeName(code)}
                  </option>
                ))}
              </select>
              <label class="sr-only" for={`charge-amount-${index}`}>
                {t("office.lease.monthlyAmount")}
              </label>
              <input
                id={`charge-amount-${index}`}
                data-testid={`charge-amount-${index}`}
                inputMode="decimal"
                placeholder={t("office.lease.monthlyAmount")}
                value={row.monthly_amount}
                aria-invalid={Boolean(err(`charge_lines.${index}`)) || undefined}
                onInput={(e) => setCharges(charges.map((item, i) => (i === index ? { ...item, monthly_amount: (e.target as HTMLInputElement).value } : item)))}
              />
              {charges.length > 1 ? (
                <button type="button" onClick={() => setCharges(charges.filter((_, i) => i !== index))}>
                  {t("office.form.remove")}
                </button>
              ) : null}
            </div>
          ))}
          {err("charge_lines") ? (
            <span class="field-error" role="alert" data-testid="error-charge_lines">
              {err("charge_lines")!.join(" ")}
            </span>
          ) : null}
          <button type="button" onClick={() => setCharges([...charges, { charge_type: "service_fee", monthly_amount: "" }])}>
            {t("office.form.addCharge")}
          </button>
        </fieldset>
        <Field id="deposit_amount" label={t("office.lease.deposit")} errors={err("deposit_amount")} required={required.has("deposit_amount")}>
          <input id="deposit_amount" data-testid="deposit" inputMode="decimal" value={deposit} onInput={(e) => setDeposit((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="notice_period_days" label={t("office.lease.notice")} errors={err("notice_period_days")} required={required.has("notice_period_days")}>
          <input id="notice_period_days" type="number" min={0} max={730} value={notice} onInput={(e) => setNotice((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="account_manager_id" label={t("office.lease.accountManager")} errors={err("account_manager_id")} required={required.has("account_manager_id")}>
          <Choose id="account_manager_id" testId="account-manager" value={manager} options={managers} empty={t("office.filter.choose")} onChange={(value) => setManager(value)} />
        </Field>
        <Field id="purpose" label={t("office.lease.purpose")} errors={err("purpose")} required={required.has("purpose")}>
          <input id="purpose" data-testid="purpose" value={purpose} onInput={(e) => setPurpose((e.target as HTMLInputElement).value)} />
        </Field>
      </form>
      {problem ? (
        <div class="panel panel-error" role="alert" data-testid="form-error">
          {problem}
          {Object.keys(errors).length ? (
            <ul>
              {Object.entries(errors).map(([name, messages]) => (
                <li key={name}>
                  {name}: {messages.join(" ")}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <div class="actions">
        <button type="button" data-testid="preview" disabled={busy} onClick={() => void runPreview()}>
          {t("office.newLease.preview")}
        </button>
        <button type="button" class="primary" data-testid="sign" disabled={busy || !preview} onClick={() => void sign()}>
          {t("office.lease.sign")}
        </button>
        {!preview ? <span class="hint">{t("office.newLease.previewFirst")}</span> : null}
      </div>
      {preview ? (
        <div class="panel">
          <h2>{t("office.schedule.preview")}</h2>
          <ScheduleTable schedule={preview} testId="preview-schedule" />
        </div>
      ) : null}
    </section>
  );
}
