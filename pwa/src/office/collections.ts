/**
 * The collections screens' shared words and pure logic: the API's records, tier and state codes with their
 * names, a customer's next step after the latest run, amounts by currency, a probability as a percentage,
 * the policy's template keys and placeholders (read from the API's own description), and a policy form
 * turned into the body of its PUT.
 */
import { t } from "../i18n";
import { addDays, money } from "./format";

export const TIERS = ["none", "friendly", "formal", "legal"] as const;
export const TEMPLATE_TIERS = ["friendly", "formal", "legal"] as const;
export const STEPS = ["first", "follow_up"] as const;
export const LANGUAGES = ["zh_CN", "en"] as const;
export const CHANNELS = ["email", "sms"] as const;
export const CUSTOMER_TIERS = ["standard", "key_account"] as const;
export const CASE_OUTCOMES = ["paid", "settled", "payment_plan", "judgment", "written_off", "withdrawn"] as const;
export const THRESHOLDS = ["formal_from", "legal_from", "lock_from", "repeat_days", "tolerance_days"] as const;
/** The placeholders a template may use, as the server lists them (kept in step with its description). */
export const PLACEHOLDERS = ["customer", "project", "bills", "total", "oldest_days", "article", "late_fee", "pay_within_hours", "contact"];

export type Tier = (typeof TIERS)[number];
export type Totals = Record<string, string>;

export interface Standing {
  id: number;
  project_id: number;
  customer_id: number;
  customer_name: string;
  customer_tier: string;
  tier: Tier;
  tier_name: string;
  tier_since: string | null;
  oldest_days: number;
  overdue: Totals;
  last_notice_on: string | null;
  last_run_on: string | null;
  last_action: string | null;
  last_reason: string | null;
}

export interface Bill {
  charge_id: number;
  number: string;
  lease_id: number | null;
  due_date: string;
  open: string;
  currency: string;
}

export interface Notice {
  id: number;
  run_id: number | null;
  project_id: number;
  customer_id: number;
  run_on: string;
  action: string;
  reason: string;
  tier: Tier;
  previous_tier: Tier;
  step: string | null;
  bills: Bill[];
  totals: Totals;
  oldest_days: number;
  locale: string | null;
  subject: string | null;
  body: string | null;
  channels: string[];
  targets: string[];
  held_by_lines: number[];
  created_at: string;
}

export interface PaymentPromise {
  id: number;
  project_id: number;
  customer_id: number;
  promised_on: string;
  amount: string;
  currency: string;
  made_on: string;
  note: string | null;
  state: "open" | "kept" | "broken" | "cancelled";
  settled_on: string | null;
  paid: string;
}

export interface Grace {
  id: number;
  project_id: number;
  customer_id: number;
  days: number;
  reason: string;
  state: "requested" | "approved" | "rejected" | "cancelled";
  starts_on: string | null;
  ends_on: string | null;
  requested_at: string;
}

export interface Dispute {
  id: number;
  project_id: number;
  customer_id: number;
  charge_ids: number[];
  reason: string;
  opened_on: string;
  state: "open" | "resolved";
  resolved_on: string | null;
  resolution: string | null;
}

export interface CaseDocument {
  title: string;
  reference: string;
  added_on: string;
}

export interface Case {
  id: number;
  project_id: number;
  customer_id: number;
  customer_name: string;
  state: "open" | "closed";
  opened_on: string;
  owner_id: number | null;
  amount: string;
  currency: string;
  bills: Bill[];
  documents: CaseDocument[];
  next_step: string | null;
  next_step_on: string | null;
  outcome: string | null;
  outcome_note: string | null;
  closed_on: string | null;
}

export interface CollectionTask {
  id: number;
  notice_id: number;
  project_id: number;
  customer_id: number;
  assignee_id: number | null;
  tier: Tier;
  due_on: string;
  state: "open" | "done";
  done_at: string | null;
  note: string | null;
}

export interface Template {
  subject: string;
  body: string;
}

export interface Policy {
  customer_tier: (typeof CUSTOMER_TIERS)[number];
  enabled: boolean;
  formal_from: number;
  legal_from: number;
  lock_from: number;
  repeat_days: number;
  tolerance_days: number;
  pay_within_hours: number;
  channels: string[];
  templates: Record<string, Template | null>;
  stored: boolean;
}

export interface RunReport {
  project_id: number;
  run_on: string;
  customers: number;
  by_action: Record<string, number>;
  tier_changes: number;
  late_fee_bills: number;
  late_fees: string;
  promises_kept: number;
  promises_broken: number;
}

export interface CreditReason {
  code: string;
  value: number | null;
  effect: number;
  message: string;
}

export interface CreditProfile {
  as_of: string;
  score: number;
  probability_late: number;
  features: {
    bills: number;
    late_bills: number;
    on_time_rate: number | null;
    average_days_late: number | null;
    open_overdue: Totals;
    broken_promises: number;
    disputes: number;
    average_response_days: number | null;
  };
  reasons: CreditReason[];
}

export type Colour = "green" | "yellow" | "orange" | "red";

export interface HealthQuarter {
  quarter: string;
  colour: Colour;
  reasons: { signal: string; period: string; count: number; at_least: number; colour: Colour; action: string; message: string }[];
  actions: string[];
  counts: { signal: string; period: string; count: number }[];
}

export interface LeaseHealth {
  as_of: string;
  quarters: HealthQuarter[];
  renewal: { recommendation: "retain" | "normal_follow_up" | "prepare_to_release"; reasons: { code: string; message: string }[] } | null;
}

// --- names -------------------------------------------------------------------------------------------------

type Group = "tier" | "action" | "reason" | "channel" | "promiseState" | "graceState" | "disputeState" | "caseState" | "taskState" | "outcome" | "step" | "language" | "colour" | "signal" | "renewal" | "customerTier" | "threshold";

/** A code's name in the reader's language (the code itself when the catalogue does not know it yet). */
export function named(group: Group, code: string | null | undefined): string {
  if (!code) return "—";
  const key = `office.collections.${group}.${code}`;
  const found = t(key);
  return found === key ? code : found;
}

/** Amounts by currency on one line: "¥20,000.00" (several currencies side by side). */
export function totalsText(totals: Totals | null | undefined): string {
  const entries = Object.entries(totals ?? {});
  if (!entries.length) return "—";
  return entries.map(([currency, amount]) => money(amount, currency)).join(" + ");
}

/** "12.5%" from 0.125; "—" without a value. */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return `${(value * 100).toFixed(digits).replace(/\.0+$/, "")}%`;
}

/** A reason's effect on the probability in percentage points, signed: "+12.0 pp" / "−3.5 pp". */
export function effectText(effect: number): string {
  const points = Math.abs(effect * 100).toFixed(1);
  return `${effect > 0 ? "+" : effect < 0 ? "−" : "±"}${points} ${t("office.collections.points")}`;
}

/** The pause holding a customer: the longest of their open promises and approved grace periods. */
export interface Pause {
  kind: "promise" | "grace";
  until: string;
}

export function activePause(promises: PaymentPromise[], graces: Grace[], today: string): Pause | null {
  const found: Pause[] = [
    ...promises.filter((p) => p.state === "open" && p.promised_on >= today).map((p) => ({ kind: "promise" as const, until: p.promised_on })),
    ...graces.filter((g) => g.state === "approved" && g.ends_on && g.ends_on >= today).map((g) => ({ kind: "grace" as const, until: g.ends_on! })),
  ];
  return found.reduce<Pause | null>((best, pause) => (!best || pause.until > best.until ? pause : best), null);
}

export interface NextStep {
  code: "nothing" | "held" | "paused" | "legal" | "follow_up" | "task";
  text: string;
  /** The day it is due (a follow-up, the end of a pause). */
  on: string | null;
}

/**
 * What happens next to a customer after the latest run: nothing; held while their money waits unmatched;
 * paused until a promise's day or a grace period's end; with legal; or the tier's follow-up once
 * `repeat_days` have passed since the last message (the account manager's task for a key account).
 */
export function nextStep(standing: Standing, repeatDays: number | null, pause: Pause | null, format: (day: string) => string): NextStep {
  const action = standing.last_action;
  if (standing.tier === "none" || action === "cleared") return { code: "nothing", text: t("office.collections.next.nothing"), on: null };
  if (action === "held") return { code: "held", text: t("office.collections.next.held"), on: null };
  if (action === "paused" || pause) {
    if (pause) return { code: "paused", text: t(`office.collections.next.paused_${pause.kind}`, { day: format(pause.until) }), on: pause.until };
    return { code: "paused", text: t("office.collections.next.pausedOpen"), on: null };
  }
  if (standing.tier === "legal") return { code: "legal", text: t("office.collections.next.legal"), on: null };
  const since = standing.last_notice_on ?? standing.last_run_on;
  if (!since) return { code: "follow_up", text: t("office.collections.next.nextRun"), on: null };
  const due = addDays(since, repeatDays ?? 7);
  const code = standing.customer_tier === "key_account" ? "task" : "follow_up";
  return { code, text: t(`office.collections.next.${code}`, { day: format(due) }), on: due };
}

// --- policies ----------------------------------------------------------------------------------------------

export function templateKey(tier: string, step: string, language: string): string {
  return `${tier}.${step}.${language}`;
}

/** A template's key in words: "Friendly reminder · Follow-up · English". */
export function templateName(key: string): string {
  const [tier, step, language] = key.split(".");
  return [named("tier", tier), named("step", step), named("language", language)].join(" · ");
}

/** Every template a policy can hold, in the order the editor offers them. */
export function templateKeys(): string[] {
  return TEMPLATE_TIERS.flatMap((tier) => STEPS.flatMap((step) => LANGUAGES.map((language) => templateKey(tier, step, language))));
}

/** The placeholders the API describes for the policy's templates ("Placeholders: ${customer}, ${project}."). */
export function placeholdersFrom(description: string | null | undefined): string[] {
  const tail = description?.split(/Placeholders?:/i)[1];
  if (!tail) return PLACEHOLDERS;
  const found = [...tail.matchAll(/\$\{([a-z_][a-z0-9_]*)\}/gi)].map((match) => match[1]);
  return found.length ? found : PLACEHOLDERS;
}

/** The description of the policy's `templates` field in the OpenAPI document. */
export function templatesDescription(openapi: unknown): string | null {
  const schemas = (openapi as { components?: { schemas?: Record<string, { properties?: Record<string, { description?: string }> }> } })?.components?.schemas;
  return schemas?.DunningPolicy?.properties?.templates?.description ?? null;
}

export interface PolicyForm {
  enabled: boolean;
  thresholds: Record<(typeof THRESHOLDS)[number], string>;
  pay_within_hours: string;
  channels: string[];
  /** Templates edited on the form: a text to save, or null to go back to the built-in one. */
  templates: Record<string, Template | null>;
}

export function policyForm(policy: Policy): PolicyForm {
  return {
    enabled: policy.enabled,
    thresholds: Object.fromEntries(THRESHOLDS.map((name) => [name, String(policy[name])])) as PolicyForm["thresholds"],
    pay_within_hours: String(policy.pay_within_hours),
    channels: [...policy.channels],
    templates: {},
  };
}

/** A whole number as typed ("16"), else the text itself so the server names the field. */
function whole(value: string): number | string {
  const trimmed = value.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The PUT body: every threshold, the channels, and only the templates changed on the form. */
export function policyBody(form: PolicyForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    enabled: form.enabled,
    pay_within_hours: whole(form.pay_within_hours),
    channels: form.channels,
    ...Object.fromEntries(THRESHOLDS.map((name) => [name, whole(form.thresholds[name])])),
  };
  if (Object.keys(form.templates).length) body.templates = form.templates;
  return body;
}

/** The template key a server message is about (`templates.friendly.first.en.body` → `friendly.first.en`). */
export function templateOfError(field: string): string | null {
  const found = /^templates\.([a-z_]+\.[a-z_]+\.[A-Za-z_]+)(\.|$)/.exec(field);
  return found ? found[1] : null;
}

/** Put a placeholder into a text at the caret (or at the end). */
export function insertAt(text: string, placeholder: string, start: number | null, end: number | null): { text: string; caret: number } {
  const token = `\${${placeholder}}`;
  const from = start ?? text.length;
  const to = end ?? from;
  return { text: text.slice(0, from) + token + text.slice(to), caret: from + token.length };
}
