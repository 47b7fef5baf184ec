/**
 * An asset's open signal flags on the phone: asked for when online with its card, and the last answer kept
 * with the cached asset, so that the card still shows them offline (as possibly out of date).
 */
import { api } from "./api";
import { attachDetail, type Cached } from "./db";
import { language } from "./i18n";

export interface FieldFlag {
  id: number;
  kind: string;
  state: string;
  summary: string;
  window_from: string | null;
  window_to: string | null;
}

export interface KeptFlags {
  /** When the server gave this answer (the phone's clock, ISO). */
  fetched_at: string;
  flags: FieldFlag[];
}

/** The flags last kept with the asset, if any answer was ever had. */
export function keptFlags(asset: Cached): KeptFlags | undefined {
  const kept = asset._flags as KeptFlags | undefined;
  return kept && Array.isArray(kept.flags) ? kept : undefined;
}

/** Ask the server for the asset's open flags and keep the answer (only what the card shows). */
export async function fetchFlags(asset: Cached, now: () => Date = () => new Date()): Promise<KeptFlags> {
  const found = await api<FieldFlag[]>(`/api/iot/flags?asset_id=${asset.id}&state=open`);
  const kept: KeptFlags = {
    fetched_at: now().toISOString(),
    flags: (found ?? [])
      .filter((flag) => flag.state === "open")
      .map(({ id, kind, state, summary, window_from, window_to }) => ({ id, kind, state, summary, window_from, window_to })),
  };
  await attachDetail("cache_assets", asset.id, "_flags", kept);
  return kept;
}

/** A day of a flag's window as people on site read it: a day as written, an instant in the project's zone. */
export function flagDay(value: string | null | undefined, timeZone?: unknown): string {
  if (!value) return "";
  const locale = language() === "zh-CN" ? "zh-CN" : "en-GB";
  const whole = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (whole) {
    const date = new Date(Date.UTC(Number(whole[1]), Number(whole[2]) - 1, Number(whole[3])));
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(date);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: typeof timeZone === "string" ? timeZone : undefined }).format(date);
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
  }
}
