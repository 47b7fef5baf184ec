/** The header of every signed-in screen: network state, the pending count and the navigation. */
import { t } from "../i18n";
import { dismissNotice, notices, type Decision } from "../notices";
import { isManager, online, onlineOnly, pending, session, signInAgain, useStore } from "../state";
import { drain } from "../sync";

export function Header({ path }: { path: string }) {
  const isOnline = useStore(online);
  const count = useStore(pending);
  const current = useStore(session);
  const revoked = useStore(signInAgain);
  const onlineMode = useStore(onlineOnly);
  const progress = useStore(drain);
  const unseen = useStore(notices);
  const photosLeft = progress.photosTotal - progress.photosDone;
  const link = (href: string, testid: string, label: string, active: boolean) => (
    <a href={href} data-testid={testid} aria-current={active ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <header class="header">
      <div class="header-bar">
        <span class="brand">{t("app.name")}</span>
        <span
          class={`net ${isOnline ? "net-on" : "net-off"}`}
          data-testid="net-status"
          data-online={String(isOnline)}
          role="status"
        >
          {isOnline ? t("net.online") : t("net.offline")}
        </span>
        {!onlineMode && (
          <a
            href="/outbox"
            class={`badge ${count ? "badge-busy" : ""}`}
            data-testid="outbox-badge"
            data-count={String(count)}
            data-photos-left={String(Math.max(0, photosLeft))}
            aria-label={`${t("nav.pending")}: ${count}`}
          >
            {count}
            {progress.uploading && photosLeft > 0 && (
              <small class="badge-photos" data-testid="badge-photos">
                {t("drain.photosBadge", { done: progress.photosDone, total: progress.photosTotal })}
              </small>
            )}
          </a>
        )}
      </div>
      {onlineMode && (
        <p class="online-only" role="status" data-testid="online-only-banner">
          {t("onlineOnly.banner")}
        </p>
      )}
      <nav class="nav" aria-label="Main">
        {link("/", "nav-scan", t("nav.scan"), path === "/" || path.startsWith("/a/"))}
        {!onlineMode && link("/outbox", "nav-outbox", t("nav.outbox"), path === "/outbox")}
        {link("/reports", "nav-reports", t("reports.nav"), path === "/reports")}
        {isManager(current) && link("/approvals", "nav-approvals", t("nav.approvals"), path.startsWith("/approvals"))}
        {!onlineMode && link("/settings", "nav-settings", t("nav.settings"), path === "/settings")}
      </nav>
      {revoked && (
        <p class="revoked" role="alert">
          {t("login.revoked")} <a href="/login">{t("login.again")}</a>
        </p>
      )}
      {unseen[0] && path !== "/reports" && <DecisionNotice decision={unseen[0]} more={unseen.length - 1} />}
    </header>
  );
}

/** A decision on one of the user's reports, until they open it. */
function DecisionNotice({ decision, more }: { decision: Decision; more: number }) {
  const code = decision.asset_code ?? (decision.asset_id !== null ? `#${decision.asset_id}` : "");
  const message =
    decision.state === "expired"
      ? t("notice.expired", { code })
      : decision.note
        ? t("notice.rejected", { code, note: decision.note })
        : t("notice.rejectedNoNote", { code });
  return (
    <div class="decision-notice" role="alert" data-testid="decision-notice" data-request-id={String(decision.request_id)}>
      <span>
        {message}
        {more > 0 ? ` (+${more})` : ""}
      </span>
      <a href={`/reports?request=${decision.request_id}`} data-testid="decision-notice-view">
        {t("notice.view")}
      </a>
      <button type="button" data-testid="decision-notice-dismiss" onClick={() => void dismissNotice(decision.request_id)}>
        {t("notice.dismiss")}
      </button>
    </div>
  );
}
