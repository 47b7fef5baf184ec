/**
 * The portfolio dashboards' pure logic: the KPIs and their units, a figure written by its unit, the change
 * against another month, the table sorted by a KPI, and the address of a figure's drill-down.
 *
 * Figures arrive as decimal strings (or null when there is nothing to divide by); differences and sums are
 * computed on scaled integers, never on floats.
 */
import { language, t } from "../i18n";
import { query } from "./components/DataGrid";
import { money } from "./format";

export type Unit = "ratio" | "money" | "days" | "count";

export interface KpiValue {
  value: string | null;
  numerator: string | null;
  denominator: string | null;
  unit: Unit;
}

export type KpiSet = Partial<Record<string, KpiValue | null>>;

export interface Aging {
  buckets: Partial<Record<string, string | null>>;
  overdue: string | null;
  open: string | null;
}

export interface Group {
  key: string;
  label: string;
  kpis: KpiSet;
  aging?: Aging | null;
}

export interface Dashboard {
  period: string;
  start: string;
  end: string;
  as_of: string;
  /** When the worker summed the month shown (null: summed for this answer). */
  computed_at?: string | null;
  currency: string;
  group_by: string;
  definitions?: { unavailable_as?: string; stale_after_days?: number } | null;
  total: { kpis: KpiSet; aging?: Aging | null };
  previous?: { period: string; kpis: KpiSet; source?: string } | null;
  year_ago?: { period: string; kpis: KpiSet; source?: string } | null;
  groups: Group[];
  trend?: { period: string; occupancy_units: string | null; occupancy_area: string | null; collection_rate?: string | null }[] | null;
  expiries_by_month?: { month: string; count: number; units: number }[] | null;
  restatements?: { period: string; kpi: string; reported: string | null; restated: string | null }[] | null;
}

/** Every KPI, in the order of the tiles and the table's columns. */
export const KPIS = [
  "occupancy_units",
  "occupancy_area",
  "economic_occupancy",
  "arpu",
  "rent_per_m2",
  "collection_rate",
  "delinquency_amount",
  "delinquency_count",
  "dso",
  "renewal_rate",
  "vacancy_loss",
  "expiries_30",
  "expiries_60",
  "expiries_90",
  "status_freshness",
  "stale_share",
] as const;

export type Kpi = (typeof KPIS)[number];

export const UNITS: Record<Kpi, Unit> = {
  occupancy_units: "ratio",
  occupancy_area: "ratio",
  economic_occupancy: "ratio",
  arpu: "money",
  rent_per_m2: "money",
  collection_rate: "ratio",
  delinquency_amount: "ratio",
  delinquency_count: "ratio",
  dso: "days",
  renewal_rate: "ratio",
  vacancy_loss: "money",
  expiries_30: "count",
  expiries_60: "count",
  expiries_90: "count",
  status_freshness: "days",
  stale_share: "ratio",
};

/** KPIs where a fall is the good news (arrears, days outstanding, lost rent, unconfirmed statuses). */
const LOWER_IS_BETTER = new Set<string>(["delinquency_amount", "delinquency_count", "dso", "vacancy_loss", "status_freshness", "stale_share"]);

/** DSO is open receivables over the average day's billing of the last 90 days: open / billed_90 × 90. */
const SCALE: Partial<Record<string, number>> = { dso: 90 };

export const GROUPINGS = ["region", "city", "project", "category", "customer_tier"] as const;
export const FILTERS = ["region_id", "project_id", "city", "category"] as const;
export const AGING_BUCKETS = ["current", "1-15", "16-30", "31-60", "61-90", "90+"] as const;

export function unitOf(kpi: string, value?: KpiValue | null): Unit {
  return value?.unit ?? UNITS[kpi as Kpi] ?? "count";
}

// --- decimals as scaled integers ---------------------------------------------------------------------------

interface Scaled {
  digits: bigint;
  places: number;
}

/** A decimal string as an integer of its smallest unit ("12.50" → 1250 at 2 places); null if not a number. */
export function parseDecimal(text: string | number | null | undefined): Scaled | null {
  if (text === null || text === undefined) return null;
  const found = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(String(text));
  if (!found || (!found[2] && !found[3])) return null;
  const fraction = found[3] ?? "";
  const digits = BigInt((found[2] || "0") + fraction);
  return { digits: found[1] === "-" ? -digits : digits, places: fraction.length };
}

/** The same number at another number of places, rounded half away from zero. */
function rescale(value: Scaled, places: number): bigint {
  if (places >= value.places) return value.digits * 10n ** BigInt(places - value.places);
  const divisor = 10n ** BigInt(value.places - places);
  return roundedDivision(value.digits, divisor);
}

function roundedDivision(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = (n * 2n + d) / (d * 2n);
  return negative ? -quotient : quotient;
}

function toText(digits: bigint, places: number): string {
  const negative = digits < 0n;
  const text = (negative ? -digits : digits).toString().padStart(places + 1, "0");
  const whole = places ? text.slice(0, -places) : text;
  const fraction = places ? `.${text.slice(-places)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** The sum of decimal strings, exact (at the most places any of them has); nulls count as nothing. */
export function sumDecimals(values: (string | null | undefined)[]): string {
  const parsed = values.map(parseDecimal).filter((value): value is Scaled => value !== null);
  const places = Math.max(0, ...parsed.map((value) => value.places));
  return toText(
    parsed.reduce((sum, value) => sum + rescale(value, places), 0n),
    places,
  );
}

/** a − b, exact; null when either is missing. */
export function subtract(a: string | null | undefined, b: string | null | undefined): string | null {
  const left = parseDecimal(a);
  const right = parseDecimal(b);
  if (!left || !right) return null;
  const places = Math.max(left.places, right.places);
  return toText(rescale(left, places) - rescale(right, places), places);
}

const PLACES: Record<Unit, number> = { ratio: 4, money: 2, days: 1, count: 0 };

/** A KPI's figure from its two sums, as the server computes it: rounded for the unit, null over zero. */
export function figureOf(kpi: string, numerator: string | null, denominator: string | null, unit: Unit = unitOf(kpi)): string | null {
  const top = parseDecimal(numerator);
  if (!top) return null;
  const places = PLACES[unit];
  if (denominator === null || denominator === undefined) return toText(rescale(top, places), places);
  const bottom = parseDecimal(denominator);
  if (!bottom || bottom.digits === 0n) return null;
  // top / bottom × scale at `places`: (t / 10^tp) / (b / 10^bp) × s × 10^places.
  const scale = BigInt(SCALE[kpi] ?? 1);
  const shift = places + bottom.places - top.places;
  const n = top.digits * scale * (shift >= 0 ? 10n ** BigInt(shift) : 1n);
  const d = bottom.digits * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
  return toText(roundedDivision(n, d), places);
}

// --- writing figures ---------------------------------------------------------------------------------------

function grouped(text: string): string {
  const [whole, fraction] = text.replace(/^-/, "").split(".");
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${text.startsWith("-") ? "-" : ""}${withCommas}${fraction !== undefined ? `.${fraction}` : ""}`;
}

/** A plain decimal with thousands separators, as given ("1234.50" → "1,234.50"); "—" when missing. */
export function plain(value: string | null | undefined): string {
  const parsed = parseDecimal(value);
  return parsed ? grouped(toText(parsed.digits, parsed.places)) : "—";
}

/** A figure written by its unit: a ratio as a percentage (one decimal), money, days (one decimal), a count. */
export function formatKpi(value: string | null | undefined, unit: Unit, currency = "CNY"): string {
  const parsed = parseDecimal(value);
  if (!parsed) return "—";
  if (unit === "ratio") return `${grouped(toText(rescale(parsed, 3), 1))}%`;
  if (unit === "money") return money(value, currency);
  if (unit === "days") return t("office.portfolio.days", { value: grouped(toText(rescale(parsed, 1), 1)) });
  return grouped(toText(rescale(parsed, 0), 0));
}

export interface Change {
  /** The difference in the unit shown (percentage points for ratios), exact; null when not comparable. */
  delta: string | null;
  direction: "up" | "down" | "flat" | null;
  /** Whether the change is good news (null: flat, unknown, or neither). */
  tone: "good" | "bad" | null;
  /** "▲ 2.5 pp", "▼ ¥1,200.00", "—". */
  text: string;
}

const ARROWS = { up: "▲", down: "▼", flat: "=" } as const;

/** The change of a figure against another month's: points for ratios, amounts for money, days, counts. */
export function change(kpi: string, current: string | null | undefined, compared: string | null | undefined, unit: Unit = unitOf(kpi), currency = "CNY"): Change {
  return changeOf(current, compared, unit, { lowerIsBetter: LOWER_IS_BETTER.has(kpi), neutral: kpi.startsWith("expiries_") }, currency);
}

/** The same for any figure: whether a fall is the good news, or neither direction is (`neutral`). */
export function changeOf(
  current: string | null | undefined,
  compared: string | null | undefined,
  unit: Unit,
  sense: { lowerIsBetter?: boolean; neutral?: boolean } = {},
  currency = "CNY",
): Change {
  const difference = subtract(current, compared);
  if (difference === null) return { delta: null, direction: null, tone: null, text: "—" };
  const parsed = parseDecimal(difference)!;
  // A ratio's difference in percentage points, one decimal (0.0250 → 2.5).
  const delta = unit === "ratio" ? toText(rescale(parsed, 3), 1) : toText(rescale(parsed, PLACES[unit]), PLACES[unit]);
  const sign = parseDecimal(delta)!.digits;
  const direction = sign > 0n ? "up" : sign < 0n ? "down" : "flat";
  const better = sense.lowerIsBetter ? "down" : "up";
  const tone = direction === "flat" || sense.neutral ? null : direction === better ? "good" : "bad";
  const size = delta.replace(/^-/, "");
  const amount =
    unit === "ratio"
      ? t("office.portfolio.points", { value: grouped(size) })
      : unit === "money"
        ? money(size, currency)
        : unit === "days"
          ? t("office.portfolio.days", { value: grouped(size) })
          : grouped(size);
  return { delta, direction, tone, text: direction === "flat" ? `${ARROWS.flat} ${amount}` : `${ARROWS[direction]} ${amount}` };
}

// --- the table ---------------------------------------------------------------------------------------------

/** The groups sorted by a KPI's figure (or by their label), missing figures last whichever the direction. */
export function sortGroups<G extends Pick<Group, "key" | "label" | "kpis">>(groups: G[], by: string, descending: boolean): G[] {
  const collator = new Intl.Collator(language() === "zh-CN" ? "zh-CN" : "en");
  const byLabel = (a: G, b: G) => collator.compare(a.label, b.label) || a.key.localeCompare(b.key);
  if (!by || by === "label") return [...groups].sort((a, b) => (descending ? -1 : 1) * byLabel(a, b));
  const valueOf = (group: G) => {
    const value = group.kpis[by]?.value;
    const number = value === null || value === undefined ? NaN : Number(value);
    return Number.isFinite(number) ? number : null;
  };
  return [...groups].sort((a, b) => {
    const left = valueOf(a);
    const right = valueOf(b);
    if (left === null || right === null) return left === right ? byLabel(a, b) : left === null ? 1 : -1;
    return (descending ? right - left : left - right) || byLabel(a, b);
  });
}

/** The sort kept in the address: "collection_rate" ascending, "-collection_rate" descending. */
export function readSort(text: string | null | undefined): { by: string; descending: boolean } {
  if (!text) return { by: "label", descending: false };
  return text.startsWith("-") ? { by: text.slice(1), descending: true } : { by: text, descending: false };
}

/** A click on a header: the same column turns round, another starts with the highest figures first. */
export function nextSort(current: string | null | undefined, column: string): string {
  const { by, descending } = readSort(current);
  if (by === column) return descending ? column : `-${column}`;
  return column === "label" ? "label" : `-${column}`;
}

// --- drill-down addresses ----------------------------------------------------------------------------------

export interface DrillTarget {
  kpi: string;
  period?: string | null;
  /** The table's grouping and the clicked row's key (both, or neither for a tile of the whole scope). */
  group_by?: string | null;
  group_key?: string | null;
  bucket?: string | null;
  filters?: Partial<Record<string, string | null | undefined>>;
}

/** The query the drill-down and its dashboard figure are asked with (the same for the export). */
export function drillQuery(target: DrillTarget): Record<string, string | undefined> {
  const grouped = Boolean(target.group_key);
  return {
    kpi: target.kpi,
    period: target.period || undefined,
    group_by: grouped ? target.group_by || undefined : undefined,
    group_key: grouped ? target.group_key || undefined : undefined,
    bucket: target.bucket || undefined,
    ...Object.fromEntries(FILTERS.map((name) => [name, target.filters?.[name] || undefined])),
  };
}

/** The address of the drill-down behind a tile (the whole scope) or a table cell (one group). */
export function drilldownHref(target: DrillTarget): string {
  return `/office/portfolio/drilldown${query(drillQuery(target))}`;
}

// --- drill-down rows ---------------------------------------------------------------------------------------

export type RowKind = "asset" | "charge" | "lease" | "customer";

/** The kinds of rows a KPI's drill-down lists, before any row arrives (the rows' own kinds win after). */
export function expectedKinds(kpi: string): RowKind[] {
  if (["occupancy_units", "occupancy_area", "vacancy_loss", "status_freshness", "stale_share"].includes(kpi)) return ["asset"];
  if (["economic_occupancy", "arpu", "rent_per_m2"].includes(kpi)) return ["charge", "asset"];
  if (["collection_rate", "delinquency_amount", "dso", "aging"].includes(kpi)) return ["charge"];
  return ["lease"];
}

const KIND_COLUMNS: Record<RowKind, string[]> = {
  asset: ["code", "project", "status", "area"],
  charge: ["code", "customer", "lease", "due_date", "amount", "open"],
  lease: ["code", "customer", "project", "ends_on"],
  customer: ["customer"],
};

/** The columns of the drill-down for the kinds of rows it holds (a kind column when they are mixed). */
export function drilldownColumns(kinds: string[]): string[] {
  const known = kinds.filter((kind): kind is RowKind => kind in KIND_COLUMNS);
  const unique = [...new Set(known)];
  const columns = unique.length > 1 ? ["kind"] : [];
  for (const kind of unique.length ? unique : (["asset"] as RowKind[])) {
    for (const column of KIND_COLUMNS[kind]) if (!columns.includes(column)) columns.push(column);
  }
  return [...columns, "numerator", "denominator"];
}

/** "2026年3月", "Mar 2026". */
export function monthLabel(period: string | null | undefined): string {
  const found = /^(\d{4})-(\d{2})$/.exec(period ?? "");
  if (!found) return period || "—";
  return new Intl.DateTimeFormat(language() === "zh-CN" ? "zh-CN" : "en-GB", { year: "numeric", month: "short", timeZone: "UTC" }).format(
    new Date(Date.UTC(Number(found[1]), Number(found[2]) - 1, 1)),
  );
}

// --- reports -----------------------------------------------------------------------------------------------

export interface ReportRun {
  id: number;
  period: string;
  state: "queued" | "running" | "done" | "failed" | string;
  progress?: { done: number; total: number } | null;
  /** The same progress, when the record gives it flat. */
  done?: number | null;
  total?: number | null;
  error?: string | null;
  files?: Partial<Record<"xlsx" | "pdf", string | boolean | null>> | null;
  created_at?: string | null;
}

/** Whether the list still moves (a report queued or running): poll it then, not otherwise. */
export function stillRunning(reports: ReportRun[] | null | undefined): boolean {
  return Boolean(reports?.some((report) => report.state === "queued" || report.state === "running"));
}

/** How far a report is: `progress`, or `done` and `total` on the record itself. */
export function progressOf(report: ReportRun): { done: number; total: number } {
  return { done: report.progress?.done ?? report.done ?? 0, total: report.progress?.total ?? report.total ?? 0 };
}

/** The download of a finished report's file: the address the record gives, or the file endpoint. */
export function reportFile(report: ReportRun, format: "xlsx" | "pdf"): string | null {
  if (report.state !== "done") return null;
  const given = report.files?.[format];
  if (given === null || given === false) return null;
  if (typeof given === "string" && /^(\/|https?:)/.test(given)) return given;
  return `/api/portfolio/reports/${report.id}/file?format=${format}`;
}

// --- expected vacancies ------------------------------------------------------------------------------------

export type VacatingLease = string | { id?: number | null; number?: string | null; ends_on?: string | null; terminated?: boolean | null };

/** A lease expected to leave: its page when the answer gives its id, else the lease list searched by number. */
export function vacatingLease(lease: VacatingLease): { href: string; label: string; endsOn: string | null; terminated: boolean } {
  if (typeof lease === "string") return { href: `/office/leases${query({ q: lease })}`, label: lease, endsOn: null, terminated: false };
  const label = lease.number ?? (lease.id !== null && lease.id !== undefined ? `#${lease.id}` : "—");
  const href = lease.id !== null && lease.id !== undefined ? `/office/leases/${lease.id}` : `/office/leases${query({ q: lease.number ?? "" })}`;
  return { href, label, endsOn: lease.ends_on ?? null, terminated: Boolean(lease.terminated) };
}
