/** The asset card, from the phone's cache (online or not), with the field actions. */
import { lastTurnedDown, redoHref, useAsset } from "../assets";
import type { Cached } from "../db";
import { flagDay, type KeptFlags } from "../flags";
import { t } from "../i18n";
import { navigate } from "../router";
import { isManager, session, useStore } from "../state";
import { AssetLoading, AssetNotFound } from "../components/AssetMissing";

/** A time as the people on site read it: in the project's time zone where known. */
export function formatTime(iso: unknown, timeZone?: unknown): string {
  if (typeof iso !== "string") return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" };
  try {
    return date.toLocaleString(document.documentElement.lang || undefined, {
      ...options,
      timeZone: typeof timeZone === "string" ? timeZone : undefined,
    });
  } catch {
    return date.toLocaleString(document.documentElement.lang || undefined, options);
  }
}

export function AssetCardScreen({ code }: { code: string }) {
  const { view, flagsFresh } = useAsset(code);
  const current = useStore(session);
  if (view === undefined) return <AssetLoading />;
  if (view === null) return <AssetNotFound code={code} scanLink />;
  const { asset, project, openRequest, card, flags } = view;
  const turnedDown = openRequest || view.unsent.length ? undefined : lastTurnedDown(view.requests, current?.user.id);
  const canConfirm = Boolean(openRequest) && isManager(current) && openRequest?.applicant_id !== current?.user.id;
  const status = String(asset.status);
  const lease = card?.lease;
  const inspection = card?.inspections?.[0];
  return (
    <main class="screen">
      <article class="card asset" data-testid="asset-card" data-asset-id={String(asset.id)}>
        <h1>
          <span data-testid="asset-code">{String(asset.code)}</span>
        </h1>
        <p class="asset-name" data-testid="asset-name">
          {String(asset.name ?? "")}
        </p>
        <dl>
          <dt>{t("asset.project")}</dt>
          <dd data-testid="asset-project">{project ? `${String(project.code)} · ${String(project.name)}` : ""}</dd>
          <dt>{t("asset.status")}</dt>
          <dd>
            <span class={`status status-${status}`} data-testid="asset-status" data-status={status}>
              {t(`status.${status}`)}
            </span>
          </dd>
          <dt>{t("asset.tenant")}</dt>
          <dd data-testid="asset-tenant">
            {card === undefined ? t("asset.tenantUnknown") : lease?.customer_name ?? t("asset.noTenant")}
          </dd>
          <dt>{t("asset.lastInspection")}</dt>
          <dd data-testid="asset-last-inspection">
            {inspection
              ? `${formatTime(inspection.captured_at, project?.timezone)} · ${t(`inspect.${inspection.result}`)}`
              : t("asset.noInspection")}
          </dd>
        </dl>
        {openRequest && <WaitingRequest request={openRequest} timeZone={project?.timezone} confirm={canConfirm} />}
        {view.unsent.map((entry) => (
          <p class="notice" key={entry.op_id} data-testid="asset-unsent" data-state={entry.state}>
            {t("screens.card.unsent", {
              from: t(`status.${status}`),
              to: t(`status.${String(entry.args.to_status)}`),
            })}{" "}
            <a href="/outbox">{t("screens.card.unsentHint")}</a>
          </p>
        ))}
        {turnedDown && <TurnedDown code={code} request={turnedDown} timeZone={project?.timezone} />}
      </article>
      {flags?.flags.length ? <OpenFlags code={code} kept={flags} fresh={flagsFresh} timeZone={project?.timezone} /> : null}
      <div class="actions">
        <button
          type="button"
          class="primary big"
          data-testid="report-status"
          onClick={() => navigate(`/a/${encodeURIComponent(code)}/report`)}
        >
          {t("asset.report")}
        </button>
        <button
          type="button"
          class="big"
          data-testid="start-inspection"
          onClick={() => navigate(`/a/${encodeURIComponent(code)}/inspect`)}
        >
          {t("asset.inspect")}
        </button>
      </div>
    </main>
  );
}

/** The asset's open signal flags, each with what was seen and when, answered by an inspection on the spot. */
function OpenFlags({ code, kept, fresh, timeZone }: { code: string; kept: KeptFlags; fresh: boolean; timeZone: unknown }) {
  return (
    <section class="card flags-card" data-testid="asset-flags" data-fresh={String(fresh)}>
      <h2>{t("flags.title")}</h2>
      {fresh ? null : (
        <p class="notice" data-testid="asset-flags-stale">
          {t("flags.stale", { time: formatTime(kept.fetched_at, timeZone) })}
        </p>
      )}
      <ul class="list">
        {kept.flags.map((flag) => (
          <li key={flag.id} class="flag-item" data-testid={`asset-flag-${flag.id}`} data-kind={flag.kind}>
            <p class="flag-kind">{t(`iot.kind.${flag.kind}`)}</p>
            <p data-testid="asset-flag-summary">{flag.summary}</p>
            <p class="hint" data-testid="asset-flag-window">
              {flag.window_to && flag.window_to !== flag.window_from
                ? t("flags.window", { from: flagDay(flag.window_from, timeZone), to: flagDay(flag.window_to, timeZone) })
                : flagDay(flag.window_from, timeZone)}
            </p>
            <button
              type="button"
              class="big"
              data-testid={`answer-flag-${flag.id}`}
              onClick={() => navigate(`/a/${encodeURIComponent(code)}/inspect?flag=${flag.id}`)}
            >
              {t("flags.answer")}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The request waiting for a manager, from the cache; a manager other than its author opens it to confirm. */
function WaitingRequest({ request, timeZone, confirm }: { request: Cached; timeZone: unknown; confirm: boolean }) {
  return (
    <div class="notice" data-testid="asset-open-request" data-state={String(request.state)} data-request-id={String(request.id)}>
      <p>
        {t("screens.card.waiting", {
          from: t(`status.${String(request.from_status)}`),
          to: t(`status.${String(request.to_status)}`),
        })}
      </p>
      {request.reason ? <p>{t("screens.evidence.reasonLine", { reason: String(request.reason) })}</p> : null}
      <p class="hint">
        {t("screens.card.waitingSince", {
          time: formatTime(request.submitted_at, timeZone),
          name: String(request.applicant_name ?? `#${String(request.applicant_id ?? "")}`),
        })}
      </p>
      {confirm && (
        <a class="button-like" href={`/approvals/${request.id}`} data-testid="asset-confirm-request">
          {t("screens.card.confirm")}
        </a>
      )}
    </div>
  );
}

/** The user's last request turned down (rejected with the manager's reason, or expired), and "redo". */
function TurnedDown({ code, request, timeZone }: { code: string; request: Cached; timeZone: unknown }) {
  const state = String(request.state) as "rejected" | "expired";
  return (
    <div class="notice notice-bad" data-testid="asset-turned-down" data-state={state} data-request-id={String(request.id)}>
      <p>
        <strong>
          {t(`screens.card.turnedDown.${state}`, {
            from: t(`status.${String(request.from_status)}`),
            to: t(`status.${String(request.to_status)}`),
          })}
        </strong>
      </p>
      {request.decision_note ? (
        <p data-testid="asset-decision-note">{t("screens.card.decisionNote", { note: String(request.decision_note) })}</p>
      ) : null}
      {request.decided_at ? (
        <p class="hint">
          {request.decided_by_name
            ? t("screens.card.decidedBy", { name: String(request.decided_by_name), time: formatTime(request.decided_at, timeZone) })
            : t("screens.card.decidedAt", { time: formatTime(request.decided_at, timeZone) })}
        </p>
      ) : null}
      <button type="button" class="big" data-testid="asset-redo" onClick={() => navigate(redoHref(code, request))}>
        {t("screens.card.redo")}
      </button>
    </div>
  );
}
