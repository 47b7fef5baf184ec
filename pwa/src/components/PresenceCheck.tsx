/**
 * Presence for a status report or an inspection: the GPS capture, and where the project allows it a remote
 * report with its reason. The screen holds the state (`usePresence`) and queues only when it is `ok`.
 */
import { useState } from "preact/hooks";
import { MIN_REMOTE_REASON, presenceOf, remoteReportAllowed, type FenceSource, type GpsFix, type Presence } from "../gps";
import { t } from "../i18n";
import { GpsCapture } from "./GpsCapture";

export interface PresenceState {
  fix: GpsFix | null;
  setFix: (fix: GpsFix | null) => void;
  remote: boolean;
  setRemote: (remote: boolean) => void;
  reason: string;
  setReason: (reason: string) => void;
  denied: boolean;
  setDenied: (denied: boolean) => void;
  presence: Presence;
}

export function usePresence(project: FenceSource | undefined, asset: FenceSource | undefined): PresenceState {
  const [fix, setFix] = useState<GpsFix | null>(null);
  const [remote, setRemote] = useState(false);
  const [reason, setReason] = useState("");
  const [denied, setDenied] = useState(false);
  const presence = presenceOf(fix, project, asset, { chosen: remote, reason });
  return { fix, setFix, remote, setRemote, reason, setReason, denied, setDenied, presence };
}

/** The command's args for presence: the fix, and the remote reason when reported remotely. */
export function presenceArgs(presence: Presence): Record<string, unknown> {
  if (!presence.ok) return {};
  const args: Record<string, unknown> = {};
  if (presence.gps) args.gps = presence.gps;
  if (presence.remote_reason) args.remote_reason = presence.remote_reason;
  return args;
}

interface Props {
  project: FenceSource | undefined;
  asset: FenceSource | undefined;
  state: PresenceState;
}

export function PresenceCheck({ project, asset, state }: Props) {
  const allowed = remoteReportAllowed(project);
  const { presence } = state;
  const away = !presence.ok || Boolean(presence.remote_reason);
  const problem = presence.ok ? null : presence.problem;
  const blocked = problem === "remote_reason" ? null : problem === "no_fix" && state.denied ? "denied" : problem;
  return (
    <div class="presence" data-testid="presence" data-ok={String(presence.ok)} data-problem={problem ?? ""}>
      <GpsCapture project={project} asset={asset} fix={state.fix} onFix={state.setFix} onDenied={state.setDenied} />
      {blocked && !state.remote && (
        <p class="notice" data-testid="presence-block" role="status">
          {t(`screens.presence.${blocked}`)}
          {blocked === "denied"
            ? ""
            : t("screens.sentenceGap") + (allowed ? t("screens.presence.orRemote") : t("screens.presence.goThere"))}
        </p>
      )}
      {allowed && away && (
        <div class="field">
          <label class="choice">
            <input
              type="checkbox"
              data-testid="remote-report"
              checked={state.remote}
              onChange={(event) => state.setRemote(event.currentTarget.checked)}
            />
            {t("screens.presence.remote")}
          </label>
          {state.remote && (
            <>
              <label for="remote-reason">{t("screens.presence.remoteReason")}</label>
              <textarea
                id="remote-reason"
                data-testid="remote-reason"
                rows={2}
                maxLength={1000}
                value={state.reason}
                onInput={(event) => state.setReason(event.currentTarget.value)}
              />
              {problem === "remote_reason" && (
                <p class="hint" data-testid="remote-reason-hint">
                  {t("screens.presence.remoteReasonShort", { min: MIN_REMOTE_REASON })}
                </p>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}
