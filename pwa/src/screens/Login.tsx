/** Sign-in: binds this phone as a device and keeps its token, so the app works offline afterwards. */
import { useState } from "preact/hooks";
import { api, ApiError, NetworkError, setToken } from "../api";
import { saveSession, type Session } from "../db";
import { setLanguage, t, toLanguage } from "../i18n";
import { renumberForNewDevice } from "../outbox";
import { APP_VERSION, syncNow } from "../sync";
import { session, signInAgain } from "../state";

interface DeviceToken {
  device: { id: number };
  token: string;
}

interface Me {
  user: Session["user"];
  permissions: string[];
}

function deviceName(): string {
  const agent = navigator.userAgent;
  const platform = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : "Browser";
  return `${platform} phone`;
}

interface Props {
  onSignedIn: () => void;
  /** Signing in again after the server refused this device: the same user, keeping the queue. */
  previous?: Session | null;
}

export function Login({ onSignedIn, previous }: Props) {
  const [username, setUsername] = useState(previous?.user.username ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Never with an old (refused) token: this request makes the new one.
      setToken(null);
      const issued = await api<DeviceToken>("/api/auth/device-tokens", {
        method: "POST",
        json: { username, password, device_name: deviceName(), platform: "web", app_version: APP_VERSION },
      });
      setToken(issued.token);
      const me = await api<Me>("/api/auth/me");
      if (previous && me.user.id !== previous.user.id) {
        setToken(previous.token);
        setError(t("login.sameUser", { name: previous.user.username }));
        return;
      }
      // The new device's seqs start at 1; what the old token never sent goes out under the new one.
      if (previous) await renumberForNewDevice();
      const signedIn: Session = {
        token: issued.token,
        device_id: issued.device?.id ?? null,
        user: me.user,
        permissions: me.permissions,
      };
      await saveSession(signedIn);
      setLanguage(toLanguage(me.user.locale));
      session.set(signedIn);
      signInAgain.set(false);
      await navigator.storage?.persist?.().catch(() => false);
      onSignedIn();
      void syncNow().catch(() => undefined);
    } catch (failure) {
      setToken(previous?.token ?? null);
      if (failure instanceof NetworkError) setError(t("login.offline"));
      else if (failure instanceof ApiError) setError(failure.message || t("login.failed"));
      else setError(t("login.failed"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="screen login">
      <h1>{t("app.name")}</h1>
      <form onSubmit={submit} class="card">
        <h2>{t("login.title")}</h2>
        {previous && <p class="notice">{t("login.revoked")}</p>}
        <div class="field">
          <label for="login-username">{t("login.username")}</label>
          <input
            id="login-username"
            data-testid="login-username"
            autocomplete="username"
            autocapitalize="none"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="login-password">{t("login.password")}</label>
          <input
            id="login-password"
            data-testid="login-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error && (
          <p class="error" data-testid="login-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" data-testid="login-submit" disabled={busy}>
          {busy ? t("login.working") : t("login.submit")}
        </button>
      </form>
    </main>
  );
}
