/** The app shell: sign-in gate, header, and the routes of the UI contract. */
import { useEffect } from "preact/hooks";
import { Header } from "./components/Header";
import { Toast, UpdatePrompt } from "./components/Toast";
import { t } from "./i18n";
import { match, navigate, onLinkClick, usePath } from "./router";
import { AssetCardScreen } from "./screens/AssetCard";
import { ApprovalDetail } from "./screens/ApprovalDetail";
import { Assets } from "./screens/Assets";
import { Approvals } from "./screens/Approvals";
import { Inspect } from "./screens/Inspect";
import { Login } from "./screens/Login";
import { OnlineAssetCard, OnlineReport, OnlineScan } from "./screens/OnlineOnly";
import { Outbox } from "./screens/Outbox";
import { Report } from "./screens/Report";
import { Reports } from "./screens/Reports";
import { Scan } from "./screens/Scan";
import { Settings } from "./screens/Settings";
import { isManager, onlineOnly, session, signInAgain, useLanguage, useStore } from "./state";

const AFTER_LOGIN = "leasekeeper.afterLogin";

/** Without storage (WeChat's browser) the card and the report come straight from the API. */
function OnlineOnlyScreen({ path }: { path: string }) {
  let params: Record<string, string> | null;
  if ((params = match("/a/:code/report", path))) {
    const query = new URLSearchParams(location.search);
    return <OnlineReport code={params.code} to={query.get("to") ?? undefined} reason={query.get("reason") ?? undefined} />;
  }
  if ((params = match("/a/:code", path))) return <OnlineAssetCard key={params.code} code={params.code} />;
  if (path === "/reports") return <Reports />;
  return <OnlineScan />;
}

function Screen({ path }: { path: string }) {
  const current = useStore(session);
  const online = useStore(onlineOnly);
  let params: Record<string, string> | null;
  if (online) return <OnlineOnlyScreen path={path} />;
  if (path === "/") return <Scan />;
  if ((params = match("/a/:code/report", path))) return <Report code={params.code} />;
  if ((params = match("/a/:code/inspect", path))) return <Inspect code={params.code} />;
  if ((params = match("/a/:code", path))) return <AssetCardScreen key={params.code} code={params.code} />;
  if (path === "/assets") return <Assets />;
  if (path === "/outbox") return <Outbox />;
  if (path === "/reports") return <Reports />;
  if (path === "/settings") return <Settings />;
  if (isManager(current)) {
    if (path === "/approvals") return <Approvals />;
    if ((params = match("/approvals/:id", path))) return <ApprovalDetail key={params.id} id={Number(params.id)} />;
  }
  return (
    <main class="screen">
      <p>
        <a href="/">{t("nav.scan")}</a>
      </p>
    </main>
  );
}

export function App() {
  useLanguage();
  const path = usePath();
  const current = useStore(session);
  const revoked = useStore(signInAgain);
  const reauthenticating = Boolean(current) && revoked && path === "/login";

  useEffect(() => {
    if (current === null && path !== "/login") {
      // Remember where a label link was going, to open it after signing in.
      sessionStorage.setItem(AFTER_LOGIN, location.pathname + location.search);
      navigate("/login", true);
    } else if (current && path === "/login" && location.pathname === "/login" && !revoked) {
      // (Not when sign-in has already moved on to the label it was opened for.)
      navigate("/", true);
    }
  }, [current, path, revoked]);

  if (current === undefined) return <main class="screen">{t("app.loading")}</main>;
  return (
    <div class="app" onClick={onLinkClick}>
      <UpdatePrompt />
      {current && !reauthenticating && path !== "/login" ? (
        <>
          <Header path={path} />
          <Screen path={path} />
        </>
      ) : (
        <Login
          previous={reauthenticating ? current : null}
          onSignedIn={() => {
            const next = sessionStorage.getItem(AFTER_LOGIN);
            sessionStorage.removeItem(AFTER_LOGIN);
            navigate(next && next !== "/login" ? next : "/", true);
          }}
        />
      )}
      <Toast />
    </div>
  );
}
