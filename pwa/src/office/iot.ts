/**
 * The IoT signals and the consistency audit, their pure logic: the codes with their names, an asset's signals
 * as one chart (a panel per meter and one of door opens, every day of the period on the axis so that a day
 * without readings is a gap, the lease periods shaded, the flags marked over their windows), a rate and its
 * change against last month, a run's progress, and where each row behind a finding opens.
 */
import { t } from "../i18n";
import { query } from "./components/DataGrid";
import { addDays, day, today } from "./format";
import { changeOf, formatKpi, type Change } from "./portfolio";

export const METERS = ["electricity", "water", "runtime"] as const;
export const FLAG_KINDS = ["vacant_consumption", "vacant_door", "no_consumption", "utilisation_drop"] as const;
export const FLAG_STATES = ["open", "answered", "dismissed", "resolved"] as const;
export const FINDING_KINDS = [
  "leased_without_lease",
  "vacant_with_lease",
  "delivery_overdue",
  "maintenance_without_work_order",
  "work_order_on_retired",
  "request_stale",
  "request_overdue",
  "iot_flag_open",
  "confirmation_stale",
] as const;
export const AUDIT_STATES = ["queued", "running", "done", "failed"] as const;

export interface Device {
  id: number;
  code: string;
  kind: "meter" | "door" | string;
  meter: string | null;
  unit: string | null;
  mode: "cumulative" | "interval" | string | null;
  interval_minutes: number | null;
  asset_id: number | null;
  asset_code: string | null;
  project_id: number;
  gateway_id: number | null;
  active: boolean;
  last_at: string | null;
  last_value: string | null;
}

export interface Flag {
  id: number;
  kind: string;
  state: string;
  asset_id: number;
  asset_code: string;
  project_id: number;
  project_code: string;
  lease_id: number | null;
  /** 0..1 as a decimal string. */
  confidence: string | null;
  window_from: string | null;
  window_to: string | null;
  evidence: Record<string, unknown> | null;
  summary: string;
  /** The kind's and the state's names as the server words them (the screens use the catalogue's). */
  kind_name?: string;
  state_name?: string;
  raised_at: string;
  updated_at: string | null;
  answered_at?: string | null;
  resolved_at?: string | null;
  dismissed_at?: string | null;
  dismissed_reason: string | null;
  dismissed_by_id?: number | null;
  inspection_id: number | null;
}

export interface Viewing {
  id: number;
  asset_id: number;
  starts_at: string;
  ends_at: string;
  note: string | null;
}

export interface SignalLease {
  id: number;
  number: string;
  starts_on: string;
  ends_on: string | null;
}

export interface Series {
  meter: string;
  unit: string;
  days: { day: string; amount: string | null }[];
}

export interface Signals {
  asset: { id: number; code: string; name: string; status: string; project_id: number };
  /** The period the answer covers (the one asked for, or the API's default). */
  from?: string;
  to?: string;
  series: Series[];
  doors: { day: string; opens: number }[];
  leases: SignalLease[];
  flags: Flag[];
  viewings: Viewing[];
  devices: Device[];
}

export interface AuditRun {
  id: number;
  period: string;
  state: string;
  trigger: "monthly" | "on_demand" | string;
  /** Projects audited so far, of all the run's projects. */
  done: number | null;
  total: number | null;
  /** The day the records were audited as of. */
  as_of?: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface RateRow {
  assets: number;
  disagreeing: number;
  rate: string | null;
  previous_rate: string | null;
}

export interface AuditDetail extends AuditRun, RateRow {
  kinds: Partial<Record<string, number>>;
  projects: (RateRow & { project_id: number; project_code: string; project_name: string; region_id: number | null; region_name: string | null })[];
  regions: (RateRow & { region_id: number; region_name: string })[];
}

/** A run's answer as the API gives it: the run, the overall figures, the regions and the projects. */
export interface AuditAnswer {
  run: AuditRun;
  overall: (RateRow & { kinds?: Partial<Record<string, number>> | null }) | null;
  regions?: AuditDetail["regions"] | null;
  projects?: AuditDetail["projects"] | null;
  previous_run_id?: number | null;
}

/** A run's answer as one record: the run with its overall figures, kinds, regions and projects. */
export function auditView(answer: AuditAnswer | (Partial<AuditDetail> & AuditRun)): AuditDetail {
  if ("run" in answer && answer.run) {
    const overall = answer.overall;
    return {
      ...answer.run,
      assets: overall?.assets ?? 0,
      disagreeing: overall?.disagreeing ?? 0,
      rate: overall?.rate ?? null,
      previous_rate: overall?.previous_rate ?? null,
      kinds: overall?.kinds ?? {},
      regions: answer.regions ?? [],
      projects: answer.projects ?? [],
    };
  }
  const flat = answer as Partial<AuditDetail> & AuditRun;
  return {
    ...flat,
    assets: flat.assets ?? 0,
    disagreeing: flat.disagreeing ?? 0,
    rate: flat.rate ?? null,
    previous_rate: flat.previous_rate ?? null,
    kinds: flat.kinds ?? {},
    regions: flat.regions ?? [],
    projects: flat.projects ?? [],
  };
}

export interface FindingRow {
  type: string;
  id: number;
  label: string;
}

export interface Finding {
  id: number;
  run_id?: number;
  kind: string;
  kind_name?: string;
  asset_id: number;
  asset_code: string;
  asset_status: string;
  project_id: number;
  project_code: string;
  summary: string;
  rows: FindingRow[];
  assignee_id: number | null;
  task_state: "open" | "resolved" | string;
  resolved_at?: string | null;
  resolved_note: string | null;
}

// --- names -------------------------------------------------------------------------------------------------

/** A code's name in the reader's language (the code itself when the catalogue does not know it yet). */
export function named(group: "meter" | "unit" | "flagKind" | "flagState" | "findingKind" | "runState" | "trigger" | "deviceKind" | "rowType" | "taskState", code: string | null | undefined): string {
  if (!code) return "—";
  const shared = group === "flagKind" || group === "flagState";
  const key = shared ? `iot.${group === "flagKind" ? "kind" : "state"}.${code}` : `office.iot.${group}.${code}`;
  const found = t(key);
  return found === key ? code : found;
}

/** "87%" from "0.87" (a flag's confidence). */
export function confidenceText(value: string | null | undefined): string {
  return formatKpi(value, "ratio");
}

/** A flag's window as days ("1 Mar 2027 – 14 Mar 2027"; one day once). */
export function flagWindow(flag: Pick<Flag, "window_from" | "window_to">): string {
  const from = dayOf(flag.window_from);
  const to = dayOf(flag.window_to);
  if (!from && !to) return "—";
  if (!from || !to || from === to) return day(from ?? to);
  return t("office.iot.window", { from: day(from), to: day(to) });
}

// --- days --------------------------------------------------------------------------------------------------

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A business day from a day or an instant (an instant is read in the project's zone). */
export function dayOf(value: string | null | undefined, zone = "Asia/Shanghai"): string | null {
  if (!value) return null;
  if (DAY.test(value)) return value;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : today(zone, parsed);
}

/** Every day from `from` to `to`, both included (none when `to` is before `from`). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let current = from; current <= to && days.length < 4000; current = addDays(current, 1)) days.push(current);
  return days;
}

/** The period the signals are asked for: as chosen, else the API's default (the last 365 days). */
export function signalsPeriod(from: string | null | undefined, to: string | null | undefined, now: string = today()): { from: string; to: string } {
  const end = to && DAY.test(to) ? to : now;
  const start = from && DAY.test(from) ? from : addDays(end, -364);
  return { from: start, to: end };
}

// --- the chart ---------------------------------------------------------------------------------------------

export interface MarkAreaItem {
  name: string;
  xAxis: string;
  itemStyle?: { color: string };
  label?: { show: boolean; position?: string; color?: string; fontSize?: number; backgroundColor?: string; padding?: number[] };
  /** What the area stands for (a lease or a flag): for the tests and the tooltip. */
  kind?: "lease" | "flag";
}

export interface ChartSeries {
  name: string;
  type: "line" | "bar";
  xAxisIndex: number;
  yAxisIndex: number;
  data: (number | null)[];
  connectNulls?: boolean;
  showSymbol?: boolean;
  symbolSize?: number;
  itemStyle?: { color: string };
  lineStyle?: { color: string; width: number };
  silent?: boolean;
  tooltip?: { valueFormatter?: (value: unknown) => string; show?: boolean };
  markArea?: { silent: boolean; data: [MarkAreaItem, { xAxis: string }][] };
}

export interface SignalsOption {
  animation: boolean;
  legend: { top: number; data: string[] };
  tooltip: { trigger: "axis" };
  axisPointer: { link: { xAxisIndex: "all" }[] };
  grid: { left: number; right: number; top: number; height: number; containLabel: boolean }[];
  xAxis: { type: "category"; gridIndex: number; data: string[]; boundaryGap: boolean; axisLabel: { show: boolean; hideOverlap: boolean } }[];
  yAxis: { type: "value"; gridIndex: number; name: string; minInterval?: number; nameTextStyle: { align: string } }[];
  dataZoom: { type: "inside" | "slider"; xAxisIndex: number[]; bottom?: number; height?: number }[];
  series: ChartSeries[];
}

const METER_COLORS: Record<string, string> = { electricity: "#e65100", water: "#1565c0", runtime: "#6a1b9a" };
const DOOR_COLOR = "#455a64";
const LEASE_SHADE = "rgba(46, 125, 50, 0.12)";
const FLAG_SHADE = "rgba(198, 40, 40, 0.2)";
const PANEL_HEIGHT = 120;
/** The name of a panel's series that only carries its shaded areas (not in the legend nor the tooltip). */
const AREAS = "areas";
const PANEL_GAP = 64;
const TOP = 40;
const BOTTOM = 56;

/** A meter's panel name with its unit in the reader's language ("电 (千瓦时)", "Electricity (kWh)"). */
export function meterTitle(meter: string, unit: string): string {
  return t("office.iot.meterWithUnit", { meter: named("meter", meter), unit: named("unit", unit) });
}

/** The panels a flag is marked on: its meter's (or every meter's) for consumption, the doors' for doors. */
function panelsOfFlag(flag: Flag, meters: string[], hasDoors: boolean): string[] {
  const evidenceMeter = typeof flag.evidence?.meter === "string" ? flag.evidence.meter : null;
  if (flag.kind === "vacant_door") return hasDoors ? ["doors"] : meters.slice(0, 1);
  if (evidenceMeter && meters.includes(evidenceMeter)) return [evidenceMeter];
  if (flag.kind === "utilisation_drop" && meters.includes("runtime")) return ["runtime"];
  const consumption = meters.filter((meter) => meter !== "runtime");
  if (consumption.length) return consumption;
  return meters.length ? meters.slice(0, 1) : hasDoors ? ["doors"] : [];
}

/** The part of [start, end] inside the period, or null when none is. */
function clamp(start: string | null, end: string | null, period: { from: string; to: string }): [string, string] | null {
  const from = start && start > period.from ? start : period.from;
  const to = end && end < period.to ? end : period.to;
  if ((start && start > period.to) || (end && end < period.from) || from > to) return null;
  return [from, to];
}

/**
 * The ECharts option of an asset's signals over `period`: one panel per meter (in the order electricity,
 * water, runtime) and one of door opens as bars, sharing the axis of every day of the period (a day without
 * an amount is null: a gap in the line, not a zero), the lease periods shaded on every panel (named on the
 * first), each flag shaded over its window and named by its kind on the panels it concerns.
 */
export function signalsOption(signals: Pick<Signals, "series" | "doors" | "leases" | "flags">, period: { from: string; to: string }): { option: SignalsOption; height: number } {
  const days = daysBetween(period.from, period.to);
  const series = [...signals.series].sort((a, b) => METERS.indexOf(a.meter as (typeof METERS)[number]) - METERS.indexOf(b.meter as (typeof METERS)[number]));
  const hasDoors = signals.doors.length > 0;
  const panels: string[] = [...series.map((item) => item.meter), ...(hasDoors ? ["doors"] : [])];
  const leaseAreas = (labelled: boolean): [MarkAreaItem, { xAxis: string }][] =>
    signals.leases.flatMap((lease) => {
      const span = clamp(lease.starts_on, lease.ends_on, period);
      if (!span) return [];
      return [
        [
          {
            name: labelled ? t("office.iot.leaseArea", { number: lease.number }) : "",
            xAxis: span[0],
            kind: "lease" as const,
            itemStyle: { color: LEASE_SHADE },
            label: { show: labelled, position: "insideTopLeft", color: "#1b5e20", fontSize: 11 },
          },
          { xAxis: span[1] },
        ],
      ];
    });
  const flagAreas = (panel: string): [MarkAreaItem, { xAxis: string }][] =>
    signals.flags.flatMap((flag) => {
      if (!panelsOfFlag(flag, series.map((item) => item.meter), hasDoors).includes(panel)) return [];
      const span = clamp(dayOf(flag.window_from), dayOf(flag.window_to), period);
      if (!span) return [];
      return [
        [
          {
            name: named("flagKind", flag.kind),
            xAxis: span[0],
            kind: "flag" as const,
            itemStyle: { color: FLAG_SHADE },
            label: { show: true, position: "insideTop", color: "#b71c1c", fontSize: 11, backgroundColor: "rgba(255, 255, 255, 0.85)", padding: [1, 3] },
          },
          { xAxis: span[1] },
        ],
      ];
    });
  // The same margins on every panel (not fitted to each panel's labels), so that a day is at the same place
  // on all of them.
  const grid = panels.map((_, index) => ({ left: 64, right: 48, top: TOP + index * (PANEL_HEIGHT + PANEL_GAP), height: PANEL_HEIGHT, containLabel: false }));
  const xAxis = panels.map((_, index) => ({ type: "category" as const, gridIndex: index, data: days, boundaryGap: false, axisLabel: { show: true, hideOverlap: true } }));
  const chartSeries: ChartSeries[] = series.map((item, index) => {
    const byDay = new Map(item.days.map((entry) => [entry.day, entry.amount]));
    const unit = named("unit", item.unit);
    return {
      name: meterTitle(item.meter, item.unit),
      type: "line",
      xAxisIndex: index,
      yAxisIndex: index,
      data: days.map((day) => amountOf(byDay.get(day))),
      connectNulls: false,
      showSymbol: true,
      symbolSize: 4,
      itemStyle: { color: METER_COLORS[item.meter] ?? "#37474f" },
      lineStyle: { color: METER_COLORS[item.meter] ?? "#37474f", width: 1.5 },
      tooltip: { valueFormatter: (value: unknown) => (value === null || value === undefined || value === "-" ? t("office.iot.noReading") : `${String(value)} ${unit}`) },
      markArea: { silent: true, data: [...leaseAreas(index === 0), ...flagAreas(item.meter)] },
    };
  });
  if (hasDoors) {
    const index = panels.length - 1;
    const byDay = new Map(signals.doors.map((entry) => [entry.day, entry.opens]));
    chartSeries.push({
      name: t("office.iot.doorOpens"),
      type: "bar",
      xAxisIndex: index,
      yAxisIndex: index,
      data: days.map((day) => byDay.get(day) ?? null),
      itemStyle: { color: DOOR_COLOR },
      tooltip: { valueFormatter: (value: unknown) => (value === null || value === undefined || value === "-" ? t("office.iot.noReading") : t("office.iot.opens", { count: String(value) })) },
    });
    // The panel's shaded areas on an empty line of their own: on a bar series ECharts stretches an area's
    // end by some days, on a line it ends on its day as on the other panels.
    chartSeries.push({
      name: AREAS,
      type: "line",
      xAxisIndex: index,
      yAxisIndex: index,
      data: days.map(() => null),
      showSymbol: false,
      silent: true,
      tooltip: { show: false },
      markArea: { silent: true, data: [...leaseAreas(index === 0), ...flagAreas("doors")] },
    });
  }
  const yAxis = panels.map((panel, index) => ({
    type: "value" as const,
    gridIndex: index,
    name: panel === "doors" ? t("office.iot.doorOpensAxis") : named("unit", series[index].unit),
    minInterval: panel === "doors" ? 1 : undefined,
    nameTextStyle: { align: "left" },
  }));
  const every = panels.map((_, index) => index);
  const option: SignalsOption = {
    animation: false,
    legend: { top: 0, data: chartSeries.filter((item) => item.name !== AREAS).map((item) => item.name) },
    tooltip: { trigger: "axis" },
    axisPointer: { link: [{ xAxisIndex: "all" }] },
    grid,
    xAxis,
    yAxis,
    dataZoom: [
      { type: "inside", xAxisIndex: every },
      { type: "slider", xAxisIndex: every, bottom: 8, height: 22 },
    ],
    series: chartSeries,
  };
  return { option, height: TOP + panels.length * (PANEL_HEIGHT + PANEL_GAP) + BOTTOM - PANEL_GAP + 24 };
}

function amountOf(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

// --- the audit ---------------------------------------------------------------------------------------------

/** A rate of assets whose records disagree ("12.5%"). */
export function rateText(rate: string | null | undefined): string {
  return formatKpi(rate, "ratio");
}

/**
 * The change of a disagreement rate against last month's, in points: up is worse (red), down is better
 * (green); no run last month: nothing to compare ("—").
 */
export function rateChange(rate: string | null | undefined, previous: string | null | undefined): Change {
  return changeOf(rate, previous, "ratio", { lowerIsBetter: true });
}

/** How far a run is (nothing counted yet: 0 of 0). */
export function runProgress(run: Pick<AuditRun, "done" | "total">): { done: number; total: number } {
  return { done: run.done ?? 0, total: run.total ?? 0 };
}

export function stillRunning(run: Pick<AuditRun, "state"> | null | undefined): boolean {
  return run?.state === "queued" || run?.state === "running";
}

/** The report of a run, as a workbook or a PDF. */
export function reportHref(runId: number, format: "xlsx" | "pdf"): string {
  return `/api/iot/audits/${runId}/report${query({ format })}`;
}

/** Where a row behind a finding opens: its own page where the office app has one, else its list. */
export function findingRowHref(row: FindingRow, finding: Pick<Finding, "asset_id">): string | null {
  switch (row.type) {
    case "lease":
      return `/office/leases/${row.id}`;
    case "asset":
      return `/office/assets/${row.id}`;
    case "approval":
      return `/office/approvals/${row.id}`;
    case "field_request":
    case "status_request":
    case "request":
      return `/office/field-requests${query({ asset_id: finding.asset_id })}`;
    case "work_order":
      return "/office/work-orders";
    case "flag":
    case "iot_flag":
      return `/office/assets/${finding.asset_id}#flags`;
    case "inspection":
      return `/office/assets/${finding.asset_id}`;
    default:
      return null;
  }
}

/** A row behind a finding in words: its kind of record and its label (a flag's kind by its name). */
export function findingRowText(row: FindingRow): string {
  const flagKinds: readonly string[] = FLAG_KINDS;
  const label = (row.type === "iot_flag" || row.type === "flag") && flagKinds.includes(row.label) ? named("flagKind", row.label) : row.label;
  return `${named("rowType", row.type)} ${label}`;
}

/** The findings' list, as the filters say (empty ones left out). */
export function findingsQuery(filters: { kind?: string; project_id?: string; region_id?: string }): Record<string, string | undefined> {
  return { kind: filters.kind || undefined, project_id: filters.project_id || undefined, region_id: filters.region_id || undefined };
}

// --- viewings ----------------------------------------------------------------------------------------------

function zoneOffset(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(at));
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value);
  return Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute")) - at;
}

/** A time typed as the site's clock reads it ("2027-03-01T10:00" in Shanghai) as the instant it is (UTC, Z). */
export function zonedInstant(local: string, zone = "Asia/Shanghai"): string | null {
  const found = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!found) return null;
  const wall = Date.UTC(Number(found[1]), Number(found[2]) - 1, Number(found[3]), Number(found[4]), Number(found[5]));
  // Twice: the offset at the first guess may differ from the offset at the answer (a change of summer time).
  let guess = wall - zoneOffset(wall, zone);
  guess = wall - zoneOffset(guess, zone);
  return new Date(guess).toISOString().replace(/\.\d{3}Z$/, "Z");
}
