/**
 * The reminders screens' shared words and pure logic: the codes of date kinds, recipient roles, channels and
 * states with their names, a tier's "2/3", the numbers tiers take once ordered, a rules form turned into the
 * body of its PUT, overdue days, a run's duration and the calendar feed's address.
 */
import { t } from "../i18n";

export const DATE_KINDS = [
  "lease_end",
  "renewal_notice",
  "rent_review",
  "deposit_return",
  "insurance_expiry",
  "break_option",
  "other",
] as const;

/** Dates entered per lease; a termination notice stops auto-renewal and has no reminder of its own. */
export const MANUAL_KINDS = ["insurance_expiry", "break_option", "other", "termination_notice"] as const;

/** The lease's own account manager, then the role holders whose scope covers the lease's project. */
export const RECIPIENT_ROLES = [
  "account_manager",
  "director",
  "regional_manager",
  "project_manager",
  "leasing_agent",
  "finance",
  "legal",
] as const;

/** Channels a tier may add; the in-app inbox is always on. */
export const CHANNELS = ["email", "web_push", "sms", "wecom", "dingtalk", "webhook"] as const;

export const TASK_STATES = ["open", "acknowledged", "escalated", "cancelled"] as const;

type Named =
  | "dateKind"
  | "role"
  | "channel"
  | "taskState"
  | "taskKind"
  | "tierState"
  | "reason"
  | "delivery"
  | "tagSource"
  | "tagState"
  | "dateSource"
  | "rulesSource"
  | "runStatus";

/** A code's name in the user's language; the code itself for one the catalogue does not know yet. */
export function named(group: Named, code: string | null | undefined): string {
  if (!code) return "—";
  const key = `office.reminders.${group}.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** "2/3": the tier among the tiers of its date. */
export function tierLabel(tier: number, count: number): string {
  return `${tier}/${count}`;
}

/** One tier of a rule as the form holds it: the days as typed. */
export interface TierRow {
  days_before: string;
  roles: string[];
  channels: string[];
  ack_required: boolean;
}

export interface RuleTier {
  tier: number;
  days_before: number;
  roles: string[];
  channels: string[];
  ack_required: boolean;
}

export interface Rule {
  template_id: number;
  date_kind: string;
  is_default: boolean;
  tiers: RuleTier[];
}

/** Whole days, as typed: "30" is 30; "", "7.5" and "abc" are not a number of days. */
function wholeDays(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * The number each row will have once saved: the server orders tiers by days before, most days first, and
 * numbers them from 1 (equal days keep the form's order). A row without a whole number of days has none yet.
 */
export function tierNumbers(rows: Pick<TierRow, "days_before">[]): (number | null)[] {
  const ranked = rows
    .map((row, index) => ({ index, days: wholeDays(row.days_before) }))
    .filter((item): item is { index: number; days: number } => item.days !== null)
    .sort((a, b) => b.days - a.days || a.index - b.index);
  const numbers: (number | null)[] = rows.map(() => null);
  ranked.forEach((item, rank) => (numbers[item.index] = rank + 1));
  return numbers;
}

/** A stored rule's tiers as form rows, in their order. */
export function toRows(rule: Pick<Rule, "tiers">): TierRow[] {
  return [...rule.tiers]
    .sort((a, b) => a.tier - b.tier)
    .map((tier) => ({
      days_before: String(tier.days_before),
      roles: inOrder(tier.roles, RECIPIENT_ROLES),
      channels: inOrder(tier.channels, CHANNELS),
      ack_required: tier.ack_required,
    }));
}

/** Codes in the catalogue's order (unknown ones last), each once. */
export function inOrder(values: readonly string[], order: readonly string[]): string[] {
  const rank = (value: string) => (order.includes(value) ? order.indexOf(value) : order.length);
  return [...new Set(values)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** A code added to or taken out of a list of codes. */
export function toggled(values: readonly string[], value: string, on: boolean, order: readonly string[]): string[] {
  return inOrder(on ? [...values, value] : values.filter((item) => item !== value), order);
}

/**
 * The body of `PUT /api/reminders/rules/{template}/{kind}`: the rows in the form's order, so that the
 * server's `tiers.<n>.<field>` messages land on row n. Days not typed as a whole number go as typed (empty:
 * null), and the server says what is wrong with them.
 */
export function rulesBody(rows: TierRow[]): {
  tiers: { days_before: number | string | null; roles: string[]; channels: string[]; ack_required: boolean }[];
} {
  return {
    tiers: rows.map((row) => {
      const typed = row.days_before.trim();
      return {
        days_before: wholeDays(typed) ?? (typed === "" ? null : typed),
        roles: inOrder(row.roles, RECIPIENT_ROLES),
        channels: inOrder(row.channels, CHANNELS),
        ack_required: row.ack_required,
      };
    }),
  };
}

/** Whole days from one business date to another (YYYY-MM-DD): positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  const utc = (value: string) => {
    const [year, month, day] = value.slice(0, 10).split("-").map(Number);
    return Date.UTC(year, month - 1, day);
  };
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** How many days a task is past its due date today (0 when it is not). */
export function overdueDays(dueOn: string | null | undefined, today: string): number {
  if (!dueOn) return 0;
  return Math.max(0, daysBetween(dueOn, today));
}

/** Seconds between two instants, or null while the run has not finished. */
export function durationSeconds(startedAt: string | null | undefined, finishedAt: string | null | undefined): number | null {
  if (!startedAt || !finishedAt) return null;
  const seconds = (new Date(finishedAt).getTime() - new Date(startedAt).getTime()) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** "0.4 s", "12 s", "2 min 05 s" (in the user's language). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 10) return t("office.reminders.seconds", { value: (Math.round(seconds * 10) / 10).toFixed(1) });
  const whole = Math.round(seconds);
  if (whole < 60) return t("office.reminders.seconds", { value: String(whole) });
  return t("office.reminders.minutes", { minutes: Math.floor(whole / 60), seconds: String(whole % 60).padStart(2, "0") });
}

/** The feed's address to copy into a calendar: the server's, made absolute on this site when it is a path. */
export function feedAddress(url: string, origin: string): string {
  return url.startsWith("/") ? `${origin}${url}` : url;
}

/** A run's count: a number, or counts by reason (`{no_renewal_tag: 2, date_passed: 1}`) summed. */
export function countOf(value: number | Record<string, number> | null | undefined): number {
  if (typeof value === "number") return value;
  if (!value || typeof value !== "object") return 0;
  return Object.values(value).reduce((sum, item) => sum + (typeof item === "number" ? item : 0), 0);
}

/** Counts by reason as a line ("Tagged “no renewal” 2, Date already passed 1"), or null for a plain count. */
export function countsByReason(value: number | Record<string, number> | null | undefined): string | null {
  if (!value || typeof value !== "object") return null;
  const parts = Object.entries(value)
    .filter(([, count]) => count)
    .map(([code, count]) => `${named("reason", code)} ${count}`);
  return parts.length ? parts.join(t("office.reminders.listSeparator")) : null;
}
