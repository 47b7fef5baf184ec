/** From a scanned or typed text to a cached asset, or the reason it is refused. */
import { exactHit, searchCached } from "./assets";
import { assetByCode, type Cached } from "./db";
import { parseLabel, type ScanProblem } from "./scan";

export type Resolved = { ok: true; asset: Cached; text: string; signed: boolean } | { ok: false; problem: ScanProblem; code?: string };

export async function resolveLabel(raw: string): Promise<Resolved> {
  const parsed = parseLabel(raw);
  if (!parsed.ok) return parsed;
  // A typed code may be in any case or without its project's prefix; a label names its asset exactly.
  const asset = (await assetByCode(parsed.code)) ?? (parsed.signed ? undefined : exactHit(await searchCached(parsed.code)));
  if (!asset) return { ok: false, problem: "unknown_asset", code: parsed.code };
  return { ok: true, asset, text: parsed.text, signed: parsed.signed };
}
