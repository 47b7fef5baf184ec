/**
 * The user's language, kept in their profile (shared with the back office): changed in Settings by
 * `PATCH /api/auth/me`, queued on the phone while offline and sent when the server answers again; at start-up
 * the profile's language is adopted unless a change of this phone still waits to be sent.
 */
import { api, ApiError, NetworkError } from "./api";
import { getMeta, saveSession, setMeta, type Session } from "./db";
import { language, setLanguage, toLanguage, type Language } from "./i18n";
import { session } from "./state";

const PENDING_KEY = "pending_locale";

/** The profile's spelling of a language (the server stores zh_CN and en). */
export function profileLocale(value: Language): string {
  return value === "zh-CN" ? "zh_CN" : "en";
}

async function keep(locale: string): Promise<void> {
  const current = session.get();
  if (!current) return;
  const updated: Session = { ...current, user: { ...current.user, locale } };
  await saveSession(updated);
  session.set(updated);
}

async function patchLocale(locale: string): Promise<{ user?: Session["user"] } | null> {
  return api<{ user?: Session["user"] }>("/api/auth/me", { method: "PATCH", json: { locale } });
}

async function send(value: Language): Promise<void> {
  let answer: { user?: Session["user"] } | null;
  try {
    answer = await patchLocale(profileLocale(value));
  } catch (error) {
    // A server that spells the language as a BCP 47 tag ("zh-CN") refuses "zh_CN": say it its way.
    if (!(error instanceof ApiError) || !error.fields.locale || value === "en") throw error;
    answer = await patchLocale(value);
  }
  await setMeta(PENDING_KEY, null);
  if (answer?.user?.locale) await keep(answer.user.locale);
}

/** Change the language now and in the profile; "queued" when the phone is offline (sent later). */
export async function changeLanguage(value: Language): Promise<"saved" | "queued"> {
  setLanguage(value);
  await keep(profileLocale(value));
  await setMeta(PENDING_KEY, value);
  try {
    await send(value);
    return "saved";
  } catch (error) {
    if (error instanceof NetworkError) return "queued";
    throw error;
  }
}

/** Send a change made offline; true when nothing waits any more. */
export async function sendPendingLanguage(): Promise<boolean> {
  const waiting = await getMeta<Language | null>(PENDING_KEY);
  if (!waiting) return true;
  try {
    await send(waiting);
    return true;
  } catch {
    return false;
  }
}

let watching = false;

/**
 * At start-up, once a session is loaded: send a change still waiting, else adopt the profile's language
 * (changed on another device or in the back office). Offline, the stored session's language stays.
 */
export async function adoptProfileLocale(): Promise<void> {
  if (!watching && typeof window !== "undefined") {
    watching = true;
    window.addEventListener("online", () => void sendPendingLanguage());
  }
  if (!session.get()) return;
  if (!(await sendPendingLanguage())) return;
  try {
    const me = await api<{ user?: Session["user"] }>("/api/auth/me");
    const locale = me?.user?.locale;
    if (!locale || !session.get()) return;
    if (toLanguage(locale) !== language()) setLanguage(toLanguage(locale));
    if (locale !== session.get()?.user.locale) await keep(locale);
  } catch {
    // Offline or signed out elsewhere: the stored session's language stays; sync handles the token.
  }
}
