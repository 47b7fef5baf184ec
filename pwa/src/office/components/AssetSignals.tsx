/**
 * On the asset's page: what its meters and door sensors say over a period (a chart of the daily amounts per
 * meter and the door opens, with the lease periods shaded and the flags marked), the flags raised on it
 * (dismissed with a reason by a writer), its devices and its viewing appointments.
 */
import { useState } from "preact/hooks";
import { api } from "../../api";
import { t } from "../../i18n";
import { day, instant } from "../format";
import { useResource, useSubmission } from "../hooks";
import { confidenceText, flagWindow, meterTitle, named, signalsOption, signalsPeriod, zonedInstant, type Device, type Flag, type Signals, type Viewing } from "../iot";
import { can } from "../session";
import { useQueryState } from "../urlstate";
import { EChart } from "./Chart";
import { query } from "./DataGrid";
import { DateInput } from "./DateInput";
import { ErrorPanel, errorText } from "./ErrorPanel";
import { Field, fieldErrors } from "./Field";
import { NoteDialog } from "./NoteDialog";

const FULL_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function AssetSignals({ assetId }: { assetId: number }) {
  const [state, setState] = useQueryState(["from", "to"]);
  const signals = useResource<Signals>(`/api/iot/assets/${assetId}/signals${query({ from: state.from, to: state.to })}`);
  const data = signals.data;
  // The period the answer covers (the server's today decides the default), else the one asked for.
  const period = data?.from && data?.to ? { from: data.from, to: data.to } : signalsPeriod(state.from, state.to);
  // A day is taken once it is whole (typed or picked); emptied, the API's default period again.
  const pick = (name: "from" | "to") => (value: string) => {
    if (value === "" || FULL_DAY.test(value)) setState({ [name]: value });
  };
  return (
    <section class="signals" data-testid="asset-signals" aria-busy={signals.loading}>
      <div class="panel">
        <div class="page-head">
          <h2>{t("office.iot.signalsTitle")}</h2>
        </div>
        <form class="filters period" onSubmit={(event) => event.preventDefault()} data-testid="signals-period">
          <label for="signals-from">
            {t("office.iot.from")}
            <DateInput id="signals-from" testId="signals-from" value={state.from || period.from} onChange={pick("from")} />
          </label>
          <label for="signals-to">
            {t("office.iot.to")}
            <DateInput id="signals-to" testId="signals-to" value={state.to || period.to} onChange={pick("to")} />
          </label>
          {state.from || state.to ? (
            <div class="filter-actions">
              <button type="button" data-testid="signals-default" onClick={() => setState({ from: "", to: "" })}>
                {t("office.iot.lastYear")}
              </button>
            </div>
          ) : null}
        </form>
        {signals.error ? <ErrorPanel error={signals.error} /> : null}
        {!data ? (
          signals.error ? null : <p class="loading">{t("app.loading")}</p>
        ) : data.devices.length === 0 ? (
          <p class="empty-state" data-testid="signals-no-devices">
            {t("office.iot.noDevices")}
          </p>
        ) : (
          <SignalsChart signals={data} period={period} />
        )}
      </div>
      {data ? (
        <>
          <Flags flags={data.flags} onChanged={signals.reload} />
          <div class="columns even">
            <Devices devices={data.devices} />
            <Viewings assetId={assetId} viewings={data.viewings} onChanged={signals.reload} />
          </div>
        </>
      ) : null}
    </section>
  );
}

function SignalsChart({ signals, period }: { signals: Signals; period: { from: string; to: string } }) {
  const hasData = signals.series.some((series) => series.days.length > 0) || signals.doors.length > 0;
  if (!hasData) {
    return (
      <p class="empty-state" data-testid="signals-no-data">
        {t("office.iot.noReadings", { from: day(period.from), to: day(period.to) })}
      </p>
    );
  }
  const { option, height } = signalsOption(signals, period);
  const meters = signals.series.map((series) => meterTitle(series.meter, series.unit));
  return (
    <>
      <EChart option={option} height={height} testId="signals-chart" label={t("office.iot.chartLabel", { meters: meters.join(t("office.iot.separator")), from: day(period.from), to: day(period.to) })} />
      <p class="hint">{t("office.iot.chartHint")}</p>
    </>
  );
}

function FlagState({ flag }: { flag: Flag }) {
  return (
    <>
      <span class={`chip chip-flag-${flag.state}`} data-testid="flag-state" data-state={flag.state}>
        {named("flagState", flag.state)}
      </span>
      {flag.state === "dismissed" && flag.dismissed_reason ? <span class="hint"> {t("office.iot.dismissedBecause", { reason: flag.dismissed_reason })}</span> : null}
      {flag.inspection_id ? <span class="hint"> {t("office.iot.answeredBy", { id: flag.inspection_id })}</span> : null}
    </>
  );
}

function Flags({ flags, onChanged }: { flags: Flag[]; onChanged: () => void }) {
  const [dismissing, setDismissing] = useState<Flag | null>(null);
  const writer = can("asset:write");
  const ordered = [...flags].sort((a, b) => Number(b.state === "open") - Number(a.state === "open") || b.raised_at.localeCompare(a.raised_at));
  return (
    <div class="panel" id="flags" data-testid="asset-flags">
      <h2>{t("office.iot.flagsTitle")}</h2>
      {ordered.length === 0 ? (
        <p class="hint" data-testid="no-flags">
          {t("office.iot.noFlags")}
        </p>
      ) : (
        <div class="grid-scroll" tabIndex={0}>
          <table>
            <caption class="sr-only">{t("office.iot.flagsTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.iot.kind")}</th>
                <th scope="col">{t("office.iot.state")}</th>
                <th scope="col" class="num">
                  {t("office.iot.confidence")}
                </th>
                <th scope="col">{t("office.iot.windowTitle")}</th>
                <th scope="col">{t("office.iot.summary")}</th>
                <th scope="col">{t("office.iot.raisedAt")}</th>
                <th scope="col">
                  <span class="sr-only">{t("office.reminders.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((flag) => (
                <tr key={flag.id} data-testid={`flag-${flag.id}`} data-kind={flag.kind}>
                  <td data-testid="flag-kind">{named("flagKind", flag.kind)}</td>
                  <td>
                    <FlagState flag={flag} />
                  </td>
                  <td class="num" data-testid="flag-confidence">
                    {confidenceText(flag.confidence)}
                  </td>
                  <td class="nowrap" data-testid="flag-window">
                    {flagWindow(flag)}
                  </td>
                  <td data-testid="flag-summary">{flag.summary}</td>
                  <td class="nowrap">{instant(flag.raised_at)}</td>
                  <td>
                    {writer && (flag.state === "open" || flag.state === "answered") ? (
                      <button type="button" data-testid={`dismiss-${flag.id}`} onClick={() => setDismissing(flag)}>
                        {t("office.iot.dismiss")}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dismissing ? (
        <DismissFlag
          flag={dismissing}
          onClose={() => setDismissing(null)}
          onDone={() => {
            setDismissing(null);
            onChanged();
          }}
        />
      ) : null}
    </div>
  );
}

/** Dismiss a flag (the evidence is explained: a contractor's works, a meter swapped), with the reason. */
export function DismissFlag({ flag, onClose, onDone }: { flag: Flag; onClose: () => void; onDone: () => void }) {
  const [reason, setReason] = useState("");
  const { errors, problem, busy, submit } = useSubmission(() => api(`/api/iot/flags/${flag.id}/dismiss`, { method: "POST", json: { reason: reason.trim() } }), onDone);
  return (
    <NoteDialog
      title={t("office.iot.dismissTitle")}
      testId="dismiss"
      summary={
        <>
          {flag.asset_code} · {named("flagKind", flag.kind)} · {flagWindow(flag)}
        </>
      }
      detail={flag.summary}
      field={{ id: "dismiss-reason", name: "reason", label: t("office.iot.reason"), hint: t("office.iot.reasonHint"), required: true }}
      value={reason}
      onInput={setReason}
      submitLabel={t("office.iot.dismiss")}
      errors={errors}
      problem={problem}
      busy={busy}
      onSubmit={(event) => void submit(event)}
      onClose={onClose}
    />
  );
}

function Devices({ devices }: { devices: Device[] }) {
  return (
    <div class="panel" data-testid="asset-devices">
      <h2>{t("office.iot.devicesTitle")}</h2>
      {devices.length === 0 ? (
        <p class="hint">{t("office.iot.noDevicesShort")}</p>
      ) : (
        <div class="grid-scroll" tabIndex={0}>
          <table>
            <caption class="sr-only">{t("office.iot.devicesTitle")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("office.iot.deviceCode")}</th>
                <th scope="col">{t("office.iot.kind")}</th>
                <th scope="col">{t("office.iot.mode")}</th>
                <th scope="col">{t("office.iot.lastReading")}</th>
                <th scope="col">{t("office.iot.state")}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((device) => (
                <tr key={device.id} data-testid={`device-${device.code}`}>
                  <td>{device.code}</td>
                  <td>{device.kind === "meter" ? meterTitle(device.meter ?? "", device.unit ?? "") : named("deviceKind", device.kind)}</td>
                  <td>
                    {device.kind !== "meter"
                      ? "—"
                      : device.mode === "interval"
                        ? t("office.iot.intervalMode", { minutes: device.interval_minutes ?? "—" })
                        : t("office.iot.cumulativeMode")}
                  </td>
                  <td>
                    {device.last_at ? (
                      <>
                        {instant(device.last_at)}
                        {device.kind === "meter" && device.last_value !== null ? ` · ${device.last_value} ${named("unit", device.unit)}` : ""}
                      </>
                    ) : (
                      t("office.iot.never")
                    )}
                  </td>
                  <td>
                    <span class={`chip ${device.active ? "chip-active" : "chip-cancelled"}`}>{device.active ? t("office.iot.active") : t("office.iot.inactive")}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Viewings({ assetId, viewings, onChanged }: { assetId: number; viewings: Viewing[]; onChanged: () => void }) {
  const writer = can("asset:write");
  const [startsAt, setStartsAt] = useState("");
  const [endsAt, setEndsAt] = useState("");
  const [note, setNote] = useState("");
  const [removing, setRemoving] = useState<number | null>(null);
  const [removeProblem, setRemoveProblem] = useState<string | null>(null);
  const { errors, problem, busy, submit } = useSubmission(
    () =>
      api("/api/iot/viewings", {
        method: "POST",
        // A time left empty goes as null, for the server to say it is needed.
        json: { asset_id: assetId, starts_at: startsAt ? (zonedInstant(startsAt) ?? startsAt) : null, ends_at: endsAt ? (zonedInstant(endsAt) ?? endsAt) : null, note: note.trim() || undefined },
      }),
    () => {
      setStartsAt("");
      setEndsAt("");
      setNote("");
      onChanged();
    },
  );
  const remove = async (id: number) => {
    setRemoving(id);
    setRemoveProblem(null);
    try {
      await api(`/api/iot/viewings/${id}`, { method: "DELETE" });
      onChanged();
    } catch (error) {
      setRemoveProblem(errorText(error));
    } finally {
      setRemoving(null);
    }
  };
  const ordered = [...viewings].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  return (
    <div class="panel" data-testid="asset-viewings">
      <h2>{t("office.iot.viewingsTitle")}</h2>
      <p class="hint">{t("office.iot.viewingsHint")}</p>
      {ordered.length === 0 ? (
        <p class="hint" data-testid="no-viewings">
          {t("office.iot.noViewings")}
        </p>
      ) : (
        <ul class="viewings">
          {ordered.map((viewing) => (
            <li key={viewing.id} data-testid={`viewing-${viewing.id}`}>
              <span>
                {t("office.iot.window", { from: instant(viewing.starts_at), to: instant(viewing.ends_at) })}
                {viewing.note ? <span class="hint"> · {viewing.note}</span> : null}
              </span>
              {writer ? (
                <button type="button" data-testid={`remove-viewing-${viewing.id}`} disabled={removing === viewing.id} onClick={() => void remove(viewing.id)}>
                  {t("office.iot.removeViewing")}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {removeProblem ? (
        <p class="error" role="alert">
          {removeProblem}
        </p>
      ) : null}
      {writer ? (
        <form class="form-grid compact" onSubmit={(event) => void submit(event)} noValidate data-testid="viewing-form">
          <h3 class="wide">{t("office.iot.addViewing")}</h3>
          <Field id="viewing-starts" label={t("office.iot.startsAt")} errors={fieldErrors(errors, "starts_at")} required>
            <input id="viewing-starts" data-testid="viewing-starts" type="datetime-local" value={startsAt} aria-invalid={Boolean(errors.starts_at) || undefined} onInput={(e) => setStartsAt((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id="viewing-ends" label={t("office.iot.endsAt")} errors={fieldErrors(errors, "ends_at")} required>
            <input id="viewing-ends" data-testid="viewing-ends" type="datetime-local" value={endsAt} aria-invalid={Boolean(errors.ends_at) || undefined} onInput={(e) => setEndsAt((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id="viewing-note" label={t("office.iot.note")} errors={fieldErrors(errors, "note")}>
            <input id="viewing-note" data-testid="viewing-note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
          </Field>
          {problem ? (
            <p class="error wide" role="alert" data-testid="viewing-error">
              {problem}
            </p>
          ) : null}
          <div class="actions wide">
            <button type="submit" class="primary" data-testid="viewing-add" disabled={busy}>
              {t("office.iot.addViewingButton")}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
