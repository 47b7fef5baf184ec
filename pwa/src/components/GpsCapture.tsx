/** The GPS button and its verdict against the cached geofence (a hint: the server decides). */
import { useState } from "preact/hooks";
import { captureFix, GpsDenied, policyOf, precheck, type FenceSource, type GpsFix } from "../gps";
import { t } from "../i18n";

interface Props {
  project?: FenceSource;
  asset?: FenceSource;
  fix: GpsFix | null;
  onFix: (fix: GpsFix) => void;
}

type Failure = { kind: "denied" } | { kind: "unavailable"; message: string };

export function GpsCapture({ project, asset, fix, onFix }: Props) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  const capture = async () => {
    setBusy(true);
    setFailure(null);
    try {
      onFix(await captureFix(6000, onFix));
    } catch (error) {
      setFailure(error instanceof GpsDenied ? { kind: "denied" } : { kind: "unavailable", message: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  let state = "unknown";
  let text = t("gps.none");
  if (failure?.kind === "denied") {
    state = "denied";
    text = t("gps.denied");
  } else if (fix) {
    const check = precheck(fix, project, asset);
    state = check.state;
    text = t(`gps.${check.state}`, {
      accuracy: Math.round(check.accuracy_m),
      distance: Math.round(check.distance_m ?? 0),
      max: policyOf(project).max_accuracy_m,
    });
  } else if (failure) {
    text = t("gps.unavailable", { message: failure.message });
  }
  if (busy && !fix) text = t("gps.capturing");

  return (
    <div class="field gps">
      <button type="button" data-testid="gps-capture" onClick={capture} disabled={busy} aria-busy={busy}>
        {busy ? t("gps.capturing") : t("gps.capture")}
      </button>
      <p class={`gps-status gps-${state}`} data-testid="gps-status" data-state={state} role="status">
        {text}
      </p>
    </div>
  );
}
