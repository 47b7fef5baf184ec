/** The office app's cookie session: who is signed in, what they may do, and the CSRF token for changes. */
import { ApiError, api, setCsrfToken } from "../api";
import { setLanguage, toLanguage } from "../i18n";
import { Store } from "../store";

export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  locale: string;
  roles: { role: string; region_id: number | null; project_id: number | null }[];
}

export interface Session {
  user: User;
  permissions: string[];
  csrf_token: string | null;
}

/** undefined while the first /api/auth/me is on its way; null when nobody is signed in. */
export const session = new Store<Session | null | undefined>(undefined);

function adopt(value: Session | null): Session | null {
  setCsrfToken(value?.csrf_token ?? null);
  if (value) setLanguage(toLanguage(value.user.locale));
  session.set(value);
  return value;
}

/** Whoever the browser's session cookie belongs to, or null. */
export async function loadSession(): Promise<Session | null> {
  try {
    return adopt(await api<Session>("/api/auth/me"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return adopt(null);
    throw error;
  }
}

export async function signIn(username: string, password: string): Promise<Session> {
  const value = await api<Session>("/api/auth/login", { method: "POST", json: { username, password } });
  return adopt(value) as Session;
}

export async function signOut(): Promise<void> {
  try {
    await api("/api/auth/logout", { method: "POST" });
  } finally {
    adopt(null);
  }
}

/** The language is the user's, kept in their profile: the field app and every sign-in follow it. */
export async function saveLocale(locale: "zh_CN" | "en"): Promise<void> {
  adopt(await api<Session>("/api/auth/me", { method: "PATCH", json: { locale } }));
}

/** After a 401 (the session ended elsewhere or timed out): back to the sign-in form. */
export function sessionEnded(): void {
  adopt(null);
}

export function can(permission: string): boolean {
  return Boolean(session.get()?.permissions.includes(permission));
}
