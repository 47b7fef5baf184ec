/** GPS capture (until a fix is good enough) and a geofence pre-check; the server has the last word. */

export interface GpsFix {
  latitude: number;
  longitude: number;
  accuracy_m: number;
  captured_at: string;
}

export type FenceState = "inside" | "outside" | "poor" | "unknown";

export interface Precheck {
  state: FenceState;
  /** Metres from the fix to the fence (0 inside); null without a fence. */
  distance_m: number | null;
  accuracy_m: number;
}

export interface FencePolicy {
  tolerance_m: number;
  max_accuracy_m: number;
}

/** The geofence fields of a cached project or asset. */
export interface FenceSource {
  geofence?: unknown;
  geofence_radius_m?: unknown;
  gps_tolerance_m?: unknown;
  gps_max_accuracy_m?: unknown;
  [field: string]: unknown;
}

const EARTH_RADIUS_M = 6_371_008.8;
const DEFAULT_POLICY: FencePolicy = { tolerance_m: 10, max_accuracy_m: 50 };

type Ring = [number, number][];
type Geometry =
  | { type: "Point"; coordinates: [number, number] }
  | { type: "Polygon"; coordinates: Ring[] }
  | { type: "MultiPolygon"; coordinates: Ring[][] };

/** East and north in metres around an origin (equirectangular: plenty at the scale of a site). */
function projector(latitude: number, longitude: number): (lon: number, lat: number) => [number, number] {
  const k = (Math.PI / 180) * EARTH_RADIUS_M;
  const cos = Math.cos((latitude * Math.PI) / 180);
  return (lon, lat) => [(lon - longitude) * k * cos, (lat - latitude) * k];
}

function insideRing(ring: [number, number][]): boolean {
  // Ray casting from the origin (the fix) towards +x.
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > 0 !== yj > 0 && 0 < ((xj - xi) * (0 - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function distanceToSegment([ax, ay]: [number, number], [bx, by]: [number, number]): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, (-ax * dx - ay * dy) / lengthSq));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

function distanceToRing(ring: [number, number][]): number {
  let best = Infinity;
  for (let i = 1; i < ring.length; i += 1) best = Math.min(best, distanceToSegment(ring[i - 1], ring[i]));
  return best;
}

function polygons(geometry: Geometry): Ring[][] {
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

function parseGeometry(value: unknown): Geometry | null {
  const geometry = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (!geometry || typeof geometry !== "object") return null;
  const type = (geometry as { type?: string }).type;
  if (type === "Feature") return parseGeometry((geometry as { geometry?: unknown }).geometry);
  return type === "Point" || type === "Polygon" || type === "MultiPolygon" ? (geometry as Geometry) : null;
}

/** Distance in metres from a point to a fence (0 inside), or null when there is no usable fence. */
export function distanceToFence(
  latitude: number,
  longitude: number,
  fence: unknown,
  radius_m?: number | null,
): number | null {
  const geometry = parseGeometry(fence);
  if (!geometry) return null;
  const project = projector(latitude, longitude);
  if (geometry.type === "Point") {
    if (!radius_m || radius_m <= 0) return null;
    const [x, y] = project(geometry.coordinates[0], geometry.coordinates[1]);
    return Math.max(0, Math.hypot(x, y) - radius_m);
  }
  let best = Infinity;
  for (const polygon of polygons(geometry)) {
    const rings = polygon.map((ring) => ring.map(([lon, lat]) => project(lon, lat)));
    const [outer, ...holes] = rings;
    if (insideRing(outer) && !holes.some(insideRing)) return 0;
    for (const ring of rings) best = Math.min(best, distanceToRing(ring));
  }
  return Number.isFinite(best) ? best : null;
}

function num(value: unknown): number | null {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The project's tolerance and maximum accuracy, with the server's defaults. */
export function policyOf(project: FenceSource | undefined): FencePolicy {
  return {
    tolerance_m: num(project?.gps_tolerance_m) ?? DEFAULT_POLICY.tolerance_m,
    max_accuracy_m: num(project?.gps_max_accuracy_m) ?? DEFAULT_POLICY.max_accuracy_m,
  };
}

/**
 * Is the fix at the asset? The asset's own fence, else its project's. A fix passes when its distance to
 * the fence minus its accuracy is within the tolerance and its accuracy is no worse than the maximum.
 */
export function precheck(fix: GpsFix, project: FenceSource | undefined, asset?: FenceSource): Precheck {
  const policy = policyOf(project);
  const source = asset?.geofence ? asset : project;
  const distance = source?.geofence
    ? distanceToFence(fix.latitude, fix.longitude, source.geofence, num(source.geofence_radius_m))
    : null;
  const base = { distance_m: distance, accuracy_m: fix.accuracy_m };
  if (distance === null) return { state: "unknown", ...base };
  if (fix.accuracy_m > policy.max_accuracy_m) return { state: "poor", ...base };
  const state = distance - fix.accuracy_m <= policy.tolerance_m ? "inside" : "outside";
  return { state, ...base };
}

export class GpsDenied extends Error {
  constructor() {
    super("Location permission denied");
    this.name = "GpsDenied";
  }
}

export class GpsUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GpsUnavailable";
  }
}

/** How long a capture waits for a fix within the project's maximum accuracy before keeping the best one. */
export const CAPTURE_MS = 15_000;

export interface CaptureOptions {
  durationMs?: number;
  /** Stop at the first fix at least this accurate (metres); without it, watch for the whole duration. */
  goodEnough_m?: number;
  onFix?: (fix: GpsFix) => void;
  signal?: AbortSignal;
  geolocation?: Geolocation | undefined;
}

/**
 * Watch the position and keep the most accurate fix; `onFix` reports each better one. The watch ends at the
 * first fix within `goodEnough_m`, at the end of the duration, on denial or when `signal` aborts.
 */
export function captureFix(
  durationMs: number | CaptureOptions = 6000,
  onFix?: (fix: GpsFix) => void,
  geolocation: Geolocation | undefined = globalThis.navigator?.geolocation,
): Promise<GpsFix> {
  const options: CaptureOptions =
    typeof durationMs === "number" ? { durationMs, onFix, geolocation } : { geolocation, ...durationMs };
  const duration = options.durationMs ?? CAPTURE_MS;
  const source = options.geolocation;
  return new Promise((resolve, reject) => {
    if (!source) {
      reject(new GpsUnavailable("Geolocation is not available on this device"));
      return;
    }
    let best: GpsFix | null = null;
    let lastError: GeolocationPositionError | null = null;
    let watch: number | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (watch !== null) source.clearWatch(watch);
      if (timer !== null) clearTimeout(timer);
      options.signal?.removeEventListener("abort", finish);
      if (best) resolve(best);
      else if (lastError?.code === 1) reject(new GpsDenied());
      else if (options.signal?.aborted) reject(new GpsUnavailable("Stopped"));
      else reject(new GpsUnavailable(lastError?.message || "No position"));
    };
    if (options.signal?.aborted) {
      finish();
      return;
    }
    options.signal?.addEventListener("abort", finish);
    watch = source.watchPosition(
      (position) => {
        const fix: GpsFix = {
          latitude: position.coords.latitude,
          longitude: position.coords.longitude,
          accuracy_m: position.coords.accuracy,
          captured_at: new Date(position.timestamp || Date.now()).toISOString(),
        };
        if (!best || fix.accuracy_m < best.accuracy_m) {
          best = fix;
          options.onFix?.(fix);
        }
        if (options.goodEnough_m !== undefined && fix.accuracy_m <= options.goodEnough_m) finish();
      },
      (error) => {
        lastError = error;
        if (error.code === 1) finish();
      },
      { enableHighAccuracy: true, maximumAge: 0, timeout: duration },
    );
    // The browser may call back at once (a permission already refused, a fix at hand): stop watching then.
    if (done) {
      source.clearWatch(watch);
      return;
    }
    timer = setTimeout(finish, duration);
  });
}

/** Why a report or inspection cannot be queued as it stands, or what it carries about presence. */
export type Presence =
  | { ok: true; gps: GpsFix | null; remote_reason?: string }
  | { ok: false; problem: "no_fix" | "poor" | "outside" | "remote_reason" };

/** The server's rule for a reason someone must give: letters and digits weigh one, a Chinese character
 * two; at least 8 (4 Chinese characters or 8 letters) and 3 different characters. */
export const MIN_REMOTE_REASON = 8;

export function saysSomething(text: string): boolean {
  const reason = text.trim();
  let weight = 0;
  for (const char of reason) {
    if ((char >= "\u3400" && char <= "\u9fff") || (char >= "\uf900" && char <= "\ufaff")) weight += 2;
    else if (/[\p{L}\p{N}]/u.test(char)) weight += 1;
  }
  return weight >= MIN_REMOTE_REASON && new Set(reason).size >= 3;
}

/** The project lets a status report or inspection be filed away from the asset, with a reason. */
export function remoteReportAllowed(project: FenceSource | undefined): boolean {
  return project?.remote_report_allowed === true;
}

/**
 * Presence, as the server will check it: a fix within the maximum accuracy that passes the geofence
 * pre-check (no fence to check against passes); else, where the project allows it, a remote report with a
 * reason of at least five characters (the fix, if any, still goes along).
 */
export function presenceOf(
  fix: GpsFix | null,
  project: FenceSource | undefined,
  asset: FenceSource | undefined,
  remote: { chosen: boolean; reason: string } = { chosen: false, reason: "" },
): Presence {
  let problem: "no_fix" | "poor" | "outside" | null = null;
  if (!fix) problem = "no_fix";
  else {
    const check = precheck(fix, project, asset);
    if (fix.accuracy_m > policyOf(project).max_accuracy_m) problem = "poor";
    else if (check.state === "outside") problem = "outside";
  }
  const gps = fix ? fixForCommand(fix) : null;
  if (problem === null) return { ok: true, gps };
  if (!remoteReportAllowed(project) || !remote.chosen) return { ok: false, problem };
  const reason = remote.reason.trim();
  if (!saysSomething(reason)) return { ok: false, problem: "remote_reason" };
  return { ok: true, gps, remote_reason: reason };
}

/** A fix as the commands carry it: decimals rounded to what the server stores. */
export function fixForCommand(fix: GpsFix): GpsFix {
  return {
    latitude: Number(fix.latitude.toFixed(6)),
    longitude: Number(fix.longitude.toFixed(6)),
    accuracy_m: Number(Math.max(0, fix.accuracy_m).toFixed(1)),
    captured_at: fix.captured_at,
  };
}
