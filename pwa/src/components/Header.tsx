/** The header of every signed-in screen: network state, the pending count and the navigation. */
import { t } from "../i18n";
import { isManager, online, pending, session, signInAgain, useStore } from "../state";

export function Header({ path }: { path: string }) {
  const isOnline = useStore(online);
  const count = useStore(pending);
  const current = useStore(session);
  const revoked = useStore(signInAgain);
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
        <a
          href="/outbox"
          class={`badge ${count ? "badge-busy" : ""}`}
          data-testid="outbox-badge"
          data-count={String(count)}
          aria-label={`${t("nav.pending")}: ${count}`}
        >
          {count}
        </a>
      </div>
      <nav class="nav" aria-label="Main">
        {link("/", "nav-scan", t("nav.scan"), path === "/" || path.startsWith("/a/"))}
        {link("/outbox", "nav-outbox", t("nav.outbox"), path === "/outbox")}
        {isManager(current) && link("/approvals", "nav-approvals", t("nav.approvals"), path.startsWith("/approvals"))}
        {link("/settings", "nav-settings", t("nav.settings"), path === "/settings")}
      </nav>
      {revoked && (
        <p class="revoked" role="alert">
          {t("login.revoked")} <a href="/login">{t("login.again")}</a>
        </p>
      )}
    </header>
  );
}
