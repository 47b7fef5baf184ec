/** Money, dates and times in the user's language: ¥1,234.56; a business date as written; instants in a zone. */
import { language } from "../i18n";

const DEFAULT_ZONE = "Asia/Shanghai";

function locale(): string {
  return language() === "zh-CN" ? "zh-CN" : "en-GB";
}

/** A decimal string from the API (never a float in between for display beyond two places). */
export function money(amount: string | number | null | undefined, currency = "CNY"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  // "¥" for CNY in both languages (en's default symbol would be "CN¥").
  const formatted = new Intl.NumberFormat("en-US", {
    style: "decimal",
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(Math.abs(value));
  const symbol = currency === "CNY" ? "¥" : `${currency} `;
  return `${value < 0 ? "-" : ""}${symbol}${formatted}`;
}

/** A business date (YYYY-MM-DD, already in the project's calendar): shown as that day, never shifted. */
export function day(value: string | null | undefined): string {
  if (!value) return "—";
  const [year, month, date] = value.slice(0, 10).split("-").map(Number);
  if (!year || !month || !date) return value;
  return new Intl.DateTimeFormat(locale(), { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, date)),
  );
}

/** An instant (ISO with offset) in the project's time zone. */
export function instant(value: string | null | undefined, zone: string = DEFAULT_ZONE): string {
  if (!value) return "—";
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return value;
  return new Intl.DateTimeFormat(locale(), {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: zone,
  }).format(parsed);
}

/** Today in a zone, as YYYY-MM-DD. */
export function today(zone: string = DEFAULT_ZONE, now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone }).format(now);
}

export function addDays(isoDate: string, days: number): string {
  const [year, month, date] = isoDate.split("-").map(Number);
  const next = new Date(Date.UTC(year, month - 1, date + days));
  return next.toISOString().slice(0, 10);
}
