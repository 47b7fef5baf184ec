/** Requests waiting for the signed-in manager, and their evidence. */
import { api } from "./api";
import { allCached, attachDetail, getCached, type Cached } from "./db";
import { listOutbox, isPending } from "./outbox";

/** Pending requests of others that this phone has not already queued a decision for. */
export async function waitingForMe(userId: number): Promise<Cached[]> {
  const decided = new Set(
    (await listOutbox())
      .filter((entry) => isPending(entry) && entry.name.startsWith("status_change."))
      .map((entry) => Number(entry.args.request_id)),
  );
  return (await allCached("cache_requests"))
    .filter((request) => request.state === "pending" && request.applicant_id !== userId && !decided.has(request.id))
    .sort((a, b) => String(a.submitted_at).localeCompare(String(b.submitted_at)));
}

export interface Evidence {
  asset_code?: string;
  latitude: string | null;
  longitude: string | null;
  accuracy_m: string | null;
  fence_passed: boolean | null;
  fence_distance_m: string | null;
  fence_reason: string | null;
  plausibility_flags: string[];
  photo_hashes: string[];
  evidence_pending: string[];
  conflict: boolean;
  state: string;
  note: string | null;
  /** Fields the server adds for the evidence view; absent from older servers. */
  applicant_name?: string | null;
  captured_at?: string | null;
  submitted_at?: string | null;
  remote_reason?: string | null;
  /** Why the applicant reported away from the asset (flag remote_report). */
  report_remote_reason?: string | null;
  photos?: EvidencePhoto[];
  /** The fence the check used (the asset's, else the project's), as GeoJSON. */
  fence?: unknown;
  fence_radius_m?: string | number | null;
}

export interface EvidencePhoto {
  sha256: string;
  received_at: string | null;
  upload_lag_s: number | null;
}

/** The request's evidence: fetched when online and kept with the cached request for offline use. */
export async function fetchEvidence(id: number): Promise<Evidence> {
  const evidence = await api<Evidence>(`/api/status-requests/${id}`);
  await attachDetail("cache_requests", id, "_evidence", evidence);
  return evidence;
}

export async function cachedRequest(id: number): Promise<Cached | undefined> {
  return getCached("cache_requests", id);
}

/**
 * The flags shown to the manager: the server's geofence verdict, its plausibility flags, and `no_fix` when
 * the report came without a position (an older server does not flag that itself).
 */
export function flagsOf(evidence: Evidence): string[] {
  const flags = [...(evidence.plausibility_flags ?? [])];
  if (evidence.fence_passed === false) {
    const verdict = evidence.fence_reason === "too_inaccurate" ? "too_inaccurate" : "outside_geofence";
    if (evidence.latitude !== null && !flags.includes(verdict)) flags.unshift(verdict);
  }
  if ((evidence.latitude === null || evidence.latitude === undefined) && !flags.includes("no_fix")) flags.unshift("no_fix");
  return flags;
}

/** An upload lag as people read it: seconds, minutes or hours. */
export function lagParts(seconds: number): { unit: "seconds" | "minutes" | "hours"; n: number } {
  if (seconds < 90) return { unit: "seconds", n: Math.max(0, Math.round(seconds)) };
  if (seconds < 90 * 60) return { unit: "minutes", n: Math.round(seconds / 60) };
  return { unit: "hours", n: Math.round(seconds / 360) / 10 };
}
