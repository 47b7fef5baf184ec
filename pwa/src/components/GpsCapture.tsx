/** GPS capture, started as the screen opens, and its verdict against the cached geofence (a hint: the server decides). */
import { useEffect, useRef, useState } from "preact/hooks";
import { CAPTURE_MS, captureFix, GpsDenied, policyOf, precheck, type FenceSource, type GpsFix } from "../gps";
import { t } from "../i18n";

interface Props {
  project?: FenceSource;
  asset?: FenceSource;
  fix: GpsFix | null;
  onFix: (fix: GpsFix | null) => void;
  /** Told when the browser refuses the location (the screen explains what that blocks). */
  onDenied?: (denied: boolean) => void;
}

type Failure = { kind: "denied" } | { kind: "unavailable"; message: string };

export function GpsCapture({ project, asset, fix, onFix, onDenied }: Props) {
  const [busy, setBusy] = useState(false);
  const [secondsLeft, setSecondsLeft] = useState(0);
  const [failure, setFailure] = useState<Failure | null>(null);
  const running = useRef<AbortController | null>(null);
  const live = useRef(true);
  const maxAccuracy = policyOf(project).max_accuracy_m;

  const start = () => {
    running.current?.abort();
    const controller = new AbortController();
    running.current = controller;
    const current = () => live.current && running.current === controller;
    const started = Date.now();
    setBusy(true);
    setFailure(null);
    onDenied?.(false);
    onFix(null);
    setSecondsLeft(Math.ceil(CAPTURE_MS / 1000));
    const countdown = setInterval(() => {
      if (current()) setSecondsLeft(Math.max(0, Math.ceil((CAPTURE_MS - (Date.now() - started)) / 1000)));
    }, 250);
    captureFix({
      durationMs: CAPTURE_MS,
      goodEnough_m: maxAccuracy,
      signal: controller.signal,
      onFix: (better) => current() && onFix(better),
    })
      .then((best) => current() && onFix(best))
      .catch((error: unknown) => {
        if (!current()) return;
        const denied = error instanceof GpsDenied;
        setFailure(denied ? { kind: "denied" } : { kind: "unavailable", message: (error as Error).message });
        onDenied?.(denied);
      })
      .finally(() => {
        clearInterval(countdown);
        if (current()) {
          setBusy(false);
          running.current = null;
        }
      });
  };

  useEffect(() => {
    live.current = true;
    start();
    return () => {
      live.current = false;
      running.current?.abort();
    };
  }, []);

  let state = "unknown";
  let text = t("gps.none");
  if (failure?.kind === "denied") {
    state = "denied";
    text = t("screens.gps.denied");
  } else if (fix) {
    const check = precheck(fix, project, asset);
    state = check.state;
    text = t(`gps.${check.state}`, {
      accuracy: Math.round(check.accuracy_m),
      distance: Math.round(check.distance_m ?? 0),
      max: maxAccuracy,
    });
  } else if (failure) {
    text = t("gps.unavailable", { message: failure.message });
  }
  const searching = busy && (!fix || fix.accuracy_m > maxAccuracy);

  return (
    <div class="field gps">
      <p class={`gps-status gps-${state}`} data-testid="gps-status" data-state={state} role="status">
        {busy && !fix ? t("gps.capturing") : text}
      </p>
      {searching && (
        <p class="hint" data-testid="gps-countdown" data-seconds={String(secondsLeft)}>
          {t("screens.gps.countdown", { seconds: secondsLeft })}
        </p>
      )}
      <button type="button" data-testid="gps-capture" onClick={start}>
        {busy ? t("screens.gps.restart") : t("screens.gps.again")}
      </button>
    </div>
  );
}
