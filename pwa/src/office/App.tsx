/** The office app's frame: sign-in, the menu (only what the user may use), the header, and the screen. */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../api";
import { language, onLanguage, t } from "../i18n";
import { navigate, onLinkClick, usePath } from "../router";
import { useStore } from "../store";
import { ErrorPanel, errorText } from "./components/ErrorPanel";
import { forgetOptions } from "./components/Options";
import { forgetNames } from "./hooks";
import { ROUTES, allowed, resolve } from "./routes";
import { saveLocale, session, signIn, signOut } from "./session";

/** Render again in the new language when it changes (the catalogue is read on each render). */
function useLanguage(): void {
  const [, setLanguageState] = useState(language());
  useEffect(() => onLanguage(setLanguageState), []);
}

export function OfficeApp() {
  const current = useStore(session);
  const path = usePath();
  useLanguage();
  if (current === undefined) return <p class="loading">{t("app.loading")}</p>;
  if (current === null) return <SignIn />;
  const found = resolve(path);
  return (
    <div class="office" onClick={onLinkClick}>
      <a class="skip" href="#main">
        {t("office.skip")}
      </a>
      <TopBar />
      <div class="office-body">
        <Menu path={path} permissions={current.permissions} />
        <main id="main" class="content" tabIndex={-1}>
          {!found ? (
            <Problem title={t("office.error.noPage")} />
          ) : !allowed(found.route, current.permissions) ? (
            <Problem title={t("office.error.forbidden")} />
          ) : (
            <Screen key={path} load={found.route.load} params={found.params} title={t(found.route.title)} />
          )}
        </main>
      </div>
    </div>
  );
}

function Problem({ title }: { title: string }) {
  return (
    <section class="page">
      <div class="panel panel-error" role="alert" data-testid="error">
        {title}
      </div>
      <a href="/office/">{t("office.backHome")}</a>
    </section>
  );
}

function Screen(props: {
  load: () => Promise<ComponentType<{ params: Record<string, string> }>>;
  params: Record<string, string>;
  title: string;
}) {
  const [component, setComponent] = useState<ComponentType<{ params: Record<string, string> }> | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    document.title = `${props.title} · LeaseKeeper`;
    props.load().then((loaded) => setComponent(() => loaded), setError);
  }, [props.load]);
  if (error) return <ErrorPanel error={error} />;
  if (!component) return <p class="loading">{t("app.loading")}</p>;
  const Loaded = component;
  return <Loaded params={props.params} />;
}

function TopBar() {
  const current = useStore(session)!;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const switchTo = async (locale: "zh_CN" | "en") => {
    setBusy(true);
    try {
      await saveLocale(locale);
      setError(null);
    } catch (reason) {
      setError(errorText(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <header class="topbar">
      <a class="brand" href="/office/">
        LeaseKeeper <span>{t("office.brand")}</span>
      </a>
      <div class="topbar-tools">
        <label class="language">
          <span class="sr-only">{t("settings.language")}</span>
          <select
            data-testid="language"
            disabled={busy}
            value={current.user.locale === "en" ? "en" : "zh_CN"}
            onChange={(event) => void switchTo((event.target as HTMLSelectElement).value as "zh_CN" | "en")}
          >
            <option value="zh_CN">中文</option>
            <option value="en">English</option>
          </select>
        </label>
        {error ? (
          <span class="error" role="alert">
            {error}
          </span>
        ) : null}
        <span class="who" data-testid="who">
          {current.user.display_name} · {current.user.username}
        </span>
        <a href="/api/docs" class="docs-link">
          {t("office.nav.apiDocs")}
        </a>
        <button
          type="button"
          data-testid="sign-out"
          onClick={() =>
            void signOut().finally(() => {
              forgetNames();
              forgetOptions();
              navigate("/office/", true);
            })
          }
        >
          {t("settings.logout")}
        </button>
      </div>
    </header>
  );
}

function Menu({ path, permissions }: { path: string; permissions: string[] }) {
  const groups = new Map<string, typeof ROUTES>();
  for (const route of ROUTES) {
    if (!route.group || !allowed(route, permissions)) continue;
    groups.set(route.group, [...(groups.get(route.group) ?? []), route]);
  }
  const active = resolve(path)?.route;
  return (
    <nav class="menu" aria-label={t("office.menu")}>
      {[...groups].map(([group, routes]) => (
        <div class="menu-group" key={group}>
          <h2>{t(group)}</h2>
          <ul>
            {routes.map((route) => (
              <li key={route.path}>
                <a href={route.path} aria-current={active === route ? "page" : undefined} data-testid={`menu-${route.path}`}>
                  {t(route.title)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

function SignIn() {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
      if (!location.pathname.startsWith("/office")) navigate("/office/", true);
    } catch (reason) {
      setError(reason instanceof ApiError && reason.status === 401 ? t("office.signIn.failed") : errorText(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} class="panel" data-testid="office-login">
        <h1>
          LeaseKeeper <span>{t("office.brand")}</span>
        </h1>
        <div class="field">
          <label for="username">{t("login.username")}</label>
          <input id="username" name="username" autoComplete="username" value={username} required onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="password">{t("login.password")}</label>
          <input id="password" name="password" type="password" autoComplete="current-password" value={password} required onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </div>
        {error ? (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("login.working") : t("login.submit")}
        </button>
      </form>
    </main>
  );
}
