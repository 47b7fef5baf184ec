/** Settings: storage, language, notifications, and signing out (never with commands still waiting). */
import { useEffect, useState } from "preact/hooks";
import { setToken } from "../api";
import { clearSession } from "../db";
import { t, type Language } from "../i18n";
import { changeLanguage as saveLanguage } from "../locale";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../push";
import { navigate } from "../router";
import { isManager, pending, session, useLanguage, useStore } from "../state";
import { APP_VERSION } from "../sync";

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? "?" : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function Settings() {
  const current = useStore(session);
  const count = useStore(pending);
  const language = useLanguage();
  const [estimate, setEstimate] = useState<StorageEstimate | null>(null);
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const [pushOn, setPushOn] = useState(false);
  const [pushError, setPushError] = useState<string | null>(null);
  const [languageState, setLanguageState] = useState<"saved" | "queued" | null>(null);
  const [languageError, setLanguageError] = useState<string | null>(null);

  useEffect(() => {
    void navigator.storage?.estimate?.().then(setEstimate).catch(() => setEstimate(null));
    void navigator.storage?.persisted?.().then(setPersisted).catch(() => setPersisted(false));
    void currentSubscription().then((subscription) => setPushOn(Boolean(subscription))).catch(() => undefined);
  }, []);

  const changeLanguage = async (value: Language) => {
    setLanguageError(null);
    try {
      setLanguageState(await saveLanguage(value));
    } catch (error) {
      setLanguageState(null);
      setLanguageError(t("error.generic", { message: (error as Error).message }));
    }
  };

  const logout = async () => {
    if (count > 0) return;
    await clearSession();
    setToken(null);
    session.set(null);
    navigate("/login", true);
  };

  const turnOnPush = async () => {
    setPushError(null);
    try {
      await enablePush();
      setPushOn(true);
    } catch (error) {
      setPushError((error as Error).message === "denied" ? t("settings.pushDenied") : t("error.generic", { message: (error as Error).message }));
    }
  };

  const turnOffPush = async () => {
    setPushError(null);
    try {
      await disablePush();
      setPushOn(false);
    } catch (error) {
      setPushError(t("error.generic", { message: (error as Error).message }));
    }
  };

  return (
    <main class="screen">
      <h1>{t("settings.title")}</h1>
      <section class="card">
        <p>{t("settings.user", { name: current?.user.display_name || current?.user.username || "" })}</p>
        <p data-testid="storage-estimate">
          {estimate ? t("settings.storage", { used: megabytes(estimate.usage), quota: megabytes(estimate.quota) }) : t("settings.storageUnknown")}
        </p>
        <p data-testid="storage-persisted" data-persisted={String(Boolean(persisted))}>
          {persisted ? t("settings.persisted") : t("settings.notPersisted")}
        </p>
      </section>
      <section class="card">
        <div class="field">
          <label for="language-select">{t("settings.language")}</label>
          <select
            id="language-select"
            data-testid="language-select"
            value={language}
            onChange={(e) => void changeLanguage(e.currentTarget.value as Language)}
          >
            <option value="zh-CN">中文（简体）</option>
            <option value="en">English</option>
          </select>
          {languageState && (
            <p class="hint" data-testid="language-state" data-state={languageState} role="status">
              {t(languageState === "saved" ? "screens.settings.languageSaved" : "screens.settings.languageQueued")}
            </p>
          )}
          {languageError && (
            <p class="error" role="alert">
              {languageError}
            </p>
          )}
        </div>
      </section>
      {isManager(current) && pushSupported() && (
        <section class="card">
          {pushOn ? (
            <div class="row">
              <span>{t("settings.pushOn")}</span>
              <button type="button" data-testid="push-disable" onClick={() => void turnOffPush()}>
                {t("settings.pushOff")}
              </button>
            </div>
          ) : (
            <button type="button" data-testid="push-enable" onClick={() => void turnOnPush()}>
              {t("settings.push")}
            </button>
          )}
          {pushError && (
            <p class="error" role="alert">
              {pushError}
            </p>
          )}
        </section>
      )}
      <section class="card">
        <button type="button" class="danger" data-testid="logout" disabled={count > 0} onClick={() => void logout()}>
          {t("settings.logout")}
        </button>
        {count > 0 && (
          <p class="notice" data-testid="logout-blocked" role="status">
            {t("settings.logoutBlocked", { count })}
          </p>
        )}
      </section>
      <p class="hint">{t("settings.version", { version: APP_VERSION })}</p>
    </main>
  );
}
