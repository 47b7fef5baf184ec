/**
 * My reports: what the server knows of this user's reports from every device (the last answer kept for
 * offline), with what this phone has not sent yet, each with its state, the reason and decision, and "redo".
 */
import { useEffect, useState } from "preact/hooks";
import { currentSubscription, enablePush, pushSupported } from "../push";
import { t } from "../i18n";
import { redoPath } from "../describe";
import { dismissNotice } from "../notices";
import { loadMyReports, type MyReport, type MyReports } from "../reports";
import { navigate, useQuery } from "../router";
import { online, useStore } from "../state";
import { onOutboxChange } from "../outbox";
import { formatTime } from "./AssetCard";

const FILTERS = ["all", "unsent", "waiting", "rejected", "refused", "confirmed", "expired", "recorded", "cancelled"];

export function Reports() {
  const query = useQuery();
  const highlight = Number(query.get("request")) || null;
  const isOnline = useStore(online);
  const [reports, setReports] = useState<MyReports | null>(null);
  const [filter, setFilter] = useState("all");

  useEffect(() => {
    let live = true;
    const load = () => void loadMyReports().then((found) => live && setReports(found));
    load();
    const stop = onOutboxChange(load);
    return () => {
      live = false;
      stop();
    };
  }, [isOnline]);

  useEffect(() => {
    if (highlight === null || !reports) return;
    void dismissNotice(highlight);
    document.querySelector(`[data-report-request="${highlight}"]`)?.scrollIntoView({ block: "center" });
  }, [highlight, reports]);

  const items = reports?.items ?? [];
  const shown = items.filter((item) => filter === "all" || item.state === filter);
  const present = new Set(items.map((item) => item.state));
  return (
    <main class="screen">
      <h1>{t("reports.title")}</h1>
      {reports?.stale && reports.fetched_at && (
        <p class="notice" data-testid="reports-stale">
          {t("reports.asOf", { time: formatTime(new Date(reports.fetched_at).toISOString()) })}
        </p>
      )}
      {reports && reports.fetched_at === null && !items.length && <p class="hint">{t("reports.unavailable")}</p>}
      <NotifyOptIn />
      <div class="chips" role="group" aria-label={t("reports.filter")} data-testid="reports-filter">
        {FILTERS.filter((value) => value === "all" || present.has(value)).map((value) => (
          <button
            key={value}
            type="button"
            class={`chip ${filter === value ? "chip-on" : ""}`}
            aria-pressed={filter === value}
            data-testid={`reports-filter-${value}`}
            onClick={() => setFilter(value)}
          >
            {value === "all" ? t("reports.all") : t(`reports.state.${value}`)}
          </button>
        ))}
      </div>
      {reports && !shown.length && (
        <p class="empty" data-testid="reports-empty">
          {t("reports.empty")}
        </p>
      )}
      <ol class="outbox">
        {shown.map((item) => (
          <ReportItem key={item.key} item={item} highlighted={highlight !== null && item.id === highlight && item.kind === "status_request"} />
        ))}
      </ol>
    </main>
  );
}

function ReportItem({ item, highlighted }: { item: MyReport; highlighted: boolean }) {
  const canRedo = Boolean(item.asset_code) && ["rejected", "refused", "expired", "cancelled"].includes(item.state);
  return (
    <li
      class={`card outbox-item state-${item.state} ${highlighted ? "highlight" : ""}`}
      data-testid="report-item"
      data-state={item.state}
      data-kind={item.kind}
      data-report-request={item.kind === "status_request" ? String(item.id) : undefined}
      data-highlighted={String(highlighted)}
      aria-current={highlighted ? "true" : undefined}
    >
      <div class="row">
        <strong data-testid="report-summary">{item.summary}</strong>
        <span class={`pill pill-${item.state}`} data-testid="report-state">
          {t(`reports.state.${item.state}`)}
        </span>
      </div>
      <p class="hint">{formatTime(item.submitted_at ?? item.captured_at)}</p>
      {item.reason && <p data-testid="report-reason">{t("reports.reason", { reason: item.reason })}</p>}
      {item.decision_note && (
        <p class={item.state === "rejected" ? "error" : ""} data-testid="report-decision">
          {item.decided_by_name
            ? t("reports.decision", { name: item.decided_by_name, note: item.decision_note })
            : t("reports.decisionNote", { note: item.decision_note })}
        </p>
      )}
      {item.message && (
        <p class="error" data-testid="report-message">
          {t("reports.message", { message: item.message })}
        </p>
      )}
      {item.local && <p class="hint">{t("reports.local")}</p>}
      {canRedo && (
        <button
          type="button"
          class="primary"
          data-testid="report-redo"
          onClick={() => navigate(redoPath(String(item.asset_code), item.to_status, item.reason))}
        >
          {t("reports.redo")}
        </button>
      )}
    </li>
  );
}

/** Decisions as notifications, for anyone who reports (managers turn them on in the settings). */
function NotifyOptIn() {
  const [state, setState] = useState<"unknown" | "off" | "on" | "denied">("unknown");
  useEffect(() => {
    if (!pushSupported()) return;
    void currentSubscription()
      .then((subscription) => setState(subscription ? "on" : Notification.permission === "denied" ? "denied" : "off"))
      .catch(() => undefined);
  }, []);
  if (state === "unknown") return null;
  if (state === "on") return <p class="hint">{t("reports.notifyOn")}</p>;
  if (state === "denied") return <p class="hint">{t("reports.notifyDenied")}</p>;
  return (
    <button
      type="button"
      data-testid="reports-notify"
      onClick={() => void enablePush().then(() => setState("on"), () => setState(Notification.permission === "denied" ? "denied" : "off"))}
    >
      {t("reports.notify")}
    </button>
  );
}
