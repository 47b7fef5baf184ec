/** Propose an amendment (new rent from a date, a new end date): its effect previewed, then sent for approval. */
import { useState } from "preact/hooks";
import { ApiError, api } from "../../api";
import { t } from "../../i18n";
import { navigate } from "../../router";
import { DateInput } from "../components/DateInput";
import { type Effect, EffectTable } from "../components/Effect";
import { ErrorPanel, errorText } from "../components/ErrorPanel";
import { Field, fieldErrors } from "../components/Field";
import { chargeName } from "../components/Schedule";
import { money } from "../format";
import { useResource } from "../hooks";
import { type Lease, linesInForce } from "./Leases";

interface Preview {
  kinds: string[];
  needs_approval: boolean;
  effect: Effect;
}

export function Amend({ params }: { params: Record<string, string> }) {
  const lease = useResource<Lease>(`/api/leases/${params.id}`);
  const [effectiveOn, setEffectiveOn] = useState("");
  const [chargeType, setChargeType] = useState("rent");
  const [amount, setAmount] = useState("");
  const [endsOn, setEndsOn] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);

  if (lease.error) return <ErrorPanel error={lease.error} />;
  if (!lease.data) return <p class="loading">{t("app.loading")}</p>;
  // An escalating rent has a line per step: the one in force now is the amount the change starts from.
  const inForce = linesInForce(lease.data);
  const current = inForce.find((line) => line.charge_type === chargeType);
  const chargeTypes = [...new Set(lease.data.charge_lines.map((line) => line.charge_type))];

  const body = (): Record<string, unknown> => {
    const values: Record<string, unknown> = { effective_on: effectiveOn || null, reason };
    if (amount.trim()) values.charge_lines = [{ charge_type: chargeType, monthly_amount: amount.trim() }];
    if (endsOn) values.ends_on = endsOn;
    return values;
  };
  const fail = (error: unknown) => {
    if (error instanceof ApiError && Object.keys(error.fields).length) {
      setErrors(error.fields);
      setProblem(t("office.form.fix"));
    } else {
      setErrors({});
      setProblem(errorText(error));
    }
  };
  const runPreview = async () => {
    setBusy(true);
    try {
      setPreview(await api<Preview>(`/api/leases/${params.id}/amendments/preview`, { method: "POST", json: body() }));
      setErrors({});
      setProblem(null);
    } catch (error) {
      setPreview(null);
      fail(error);
    } finally {
      setBusy(false);
    }
  };
  const submit = async () => {
    setBusy(true);
    try {
      await api(`/api/leases/${params.id}/amendments`, { method: "POST", json: body() });
      navigate(`/office/leases/${params.id}`);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  };
  const err = (name: string) => fieldErrors(errors, name);
  return (
    <section class="page" data-testid="amend">
      <h1>
        {t("office.nav.amend")} · {lease.data.number}
      </h1>
      <form class="form-grid" onSubmit={(event) => event.preventDefault()} noValidate>
        <Field id="effective_on" label={t("office.amend.effectiveOn")} errors={err("effective_on")} required>
          <DateInput id="effective_on" testId="effective-on" value={effectiveOn} onChange={(value) => { setEffectiveOn(value); setPreview(null); }} />
        </Field>
        <Field id="charge_type" label={t("office.schedule.charge")}>
          <select id="charge_type" value={chargeType} onChange={(e) => { setChargeType((e.target as HTMLSelectElement).value); setPreview(null); }}>
            {chargeTypes.map((code) => (
              <option key={code} value={code}>
                {chargeName(code)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="monthly_amount"
          label={t("office.amend.newAmount")}
          errors={err("charge_lines")}
          hint={current ? t("office.amend.currentAmount", { amount: money(current.monthly_amount) }) : undefined}
        >
          <input id="monthly_amount" data-testid="new-amount" inputMode="decimal" value={amount} onInput={(e) => { setAmount((e.target as HTMLInputElement).value); setPreview(null); }} />
        </Field>
        <Field id="ends_on" label={t("office.amend.newEnd")} errors={err("ends_on")}>
          <DateInput id="ends_on" value={endsOn} onChange={(value) => { setEndsOn(value); setPreview(null); }} />
        </Field>
        <Field id="reason" label={t("office.amend.reason")} errors={err("reason")} required>
          <textarea id="reason" data-testid="reason" rows={3} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        </Field>
      </form>
      {problem ? (
        <div class="panel panel-error" role="alert" data-testid="form-error">
          {problem}
        </div>
      ) : null}
      <div class="actions">
        <button type="button" data-testid="amend-preview" disabled={busy} onClick={() => void runPreview()}>
          {t("office.amend.preview")}
        </button>
        <button type="button" class="primary" data-testid="amend-submit" disabled={busy || !preview} onClick={() => void submit()}>
          {preview?.needs_approval ? t("office.amend.submitForApproval") : t("office.amend.apply")}
        </button>
      </div>
      {preview ? (
        <div class="panel">
          <h2>{t("office.effect.title")}</h2>
          <p data-testid="amend-kinds">
            {preview.kinds.map((kind) => t(`office.amendKind.${kind}`)).join(", ")}
            {preview.needs_approval ? ` · ${t("office.amend.needsApproval")}` : ""}
          </p>
          <EffectTable effect={preview.effect} testId="amend-effect" />
        </div>
      ) : null}
    </section>
  );
}
