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

/** The flags shown to the manager: the plausibility flags and the server's geofence verdict. */
export function flagsOf(evidence: Evidence): string[] {
  const flags = [...(evidence.plausibility_flags ?? [])];
  if (evidence.fence_passed === false) {
    flags.unshift(evidence.fence_reason === "too_inaccurate" ? "too_inaccurate" : "outside_geofence");
  }
  return flags;
}
