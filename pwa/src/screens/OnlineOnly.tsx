/**
 * The screens of the online-only mode (WeChat's built-in browser, which a label scanned with WeChat opens:
 * no service worker, no IndexedDB): the asset card fetched from the API, and a report sent straight to it.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, NetworkError, request } from "../api";
import type { AssetCard } from "../assets";
import { GpsCapture } from "../components/GpsCapture";
import { fixForCommand, type GpsFix } from "../gps";
import { t } from "../i18n";
import { localIsoNow } from "../outbox";
import { compress, sha256Hex } from "../photos";
import { navigate } from "../router";
import { online, showToast, useStore } from "../state";

type Json = Record<string, unknown>;

interface OnlineAsset {
  asset: Json & { id: number };
  project: Json | null;
  card: (AssetCard & { status_version?: number }) | null;
}

/** The asset with this code (any case), as the API has it now; null when it is not in the user's scope. */
export async function fetchAssetByCode(code: string): Promise<OnlineAsset | null> {
  const wanted = code.trim().toLowerCase();
  const found = await api<Json[]>(`/api/assets?q=${encodeURIComponent(code.trim())}&page_size=50`);
  const asset = (found ?? []).find((item) => String(item.code).toLowerCase() === wanted) as OnlineAsset["asset"] | undefined;
  if (!asset) return null;
  const [project, card] = await Promise.all([
    api<Json>(`/api/projects/${Number(asset.project_id)}`).catch(() => null),
    api<OnlineAsset["card"]>(`/api/board/assets/${asset.id}?history_page_size=1`).catch(() => null),
  ]);
  return { asset, project, card };
}

function useOnlineAsset(code: string): { view: OnlineAsset | null | undefined; error: string | null } {
  const [view, setView] = useState<OnlineAsset | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    fetchAssetByCode(code).then(
      (found) => live && setView(found),
      (failure: unknown) => {
        if (!live) return;
        setView(null);
        setError(failure instanceof NetworkError ? t("onlineOnly.needNetwork") : (failure as Error).message);
      },
    );
    return () => {
      live = false;
    };
  }, [code]);
  return { view, error };
}

/** The code is not an asset the user may see, or the server could not be reached. */
function NotFound({ code, error }: { code: string; error: string | null }) {
  return (
    <main class="screen">
      <p class="error" data-testid="asset-not-found">
        {error ?? t("onlineOnly.notFound", { code })}
      </p>
    </main>
  );
}

/** "/" in online-only mode: type a code (WeChat's own scanner is the camera here). */
export function OnlineScan() {
  const [code, setCode] = useState("");
  const open = (event: Event) => {
    event.preventDefault();
    const value = code.trim();
    // A pasted label URL opens its asset.
    const fromUrl = /\/a\/([^/?#]+)/.exec(value)?.[1];
    if (value) navigate(`/a/${encodeURIComponent(fromUrl ? decodeURIComponent(fromUrl) : value)}`);
  };
  return (
    <main class="screen">
      <h1>{t("scan.title")}</h1>
      <p class="hint">{t("onlineOnly.scan")}</p>
      <form class="card" onSubmit={open}>
        <div class="field">
          <label for="online-code">{t("scan.code")}</label>
          <input id="online-code" data-testid="scan-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary big" data-testid="scan-code-submit">
          {t("scan.submit")}
        </button>
      </form>
    </main>
  );
}

export function OnlineAssetCard({ code }: { code: string }) {
  const { view, error } = useOnlineAsset(code);
  if (view === undefined) return <main class="screen">{t("app.loading")}</main>;
  if (view === null) return <NotFound code={code} error={error} />;
  const { asset, project, card } = view;
  const status = String(asset.status);
  return (
    <main class="screen">
      <article class="card asset" data-testid="asset-card" data-asset-id={String(asset.id)} data-mode="online-only">
        <h1>
          <span data-testid="asset-code">{String(asset.code)}</span>
        </h1>
        <p class="asset-name" data-testid="asset-name">
          {String(asset.name ?? "")}
        </p>
        <dl>
          <dt>{t("asset.project")}</dt>
          <dd data-testid="asset-project">{project ? `${String(project.code)} · ${String(project.name)}` : String(asset.project_code ?? "")}</dd>
          <dt>{t("asset.status")}</dt>
          <dd>
            <span class={`status status-${status}`} data-testid="asset-status" data-status={status}>
              {t(`status.${status}`)}
            </span>
          </dd>
          <dt>{t("asset.tenant")}</dt>
          <dd data-testid="asset-tenant">{card?.lease?.customer_name ?? t("asset.noTenant")}</dd>
        </dl>
      </article>
      <div class="actions">
        <button
          type="button"
          class="primary big"
          data-testid="report-status"
          onClick={() => navigate(`/a/${encodeURIComponent(code)}/report`)}
        >
          {t("asset.report")}
        </button>
      </div>
    </main>
  );
}

/** Photos go up first (one PUT each), then the request, in one go; nothing waits on the phone. */
async function sendReport(view: OnlineAsset, args: Json, files: File[]): Promise<void> {
  const hashes: string[] = [];
  for (const file of files) {
    const { blob } = await compress(file);
    const sha256 = await sha256Hex(await blob.arrayBuffer());
    await request(`/api/photos/${sha256}?asset_id=${view.asset.id}`, {
      method: "PUT",
      body: blob,
      headers: { "Content-Type": "application/octet-stream" },
    });
    hashes.push(sha256);
  }
  await api("/api/status-requests", {
    method: "POST",
    json: { ...args, photo_hashes: hashes, captured_at: localIsoNow() },
  });
}

export function OnlineReport({ code, to, reason: givenReason }: { code: string; to?: string; reason?: string }) {
  const { view, error: loadError } = useOnlineAsset(code);
  const isOnline = useStore(online);
  const [target, setTarget] = useState(to ?? "");
  const [reason, setReason] = useState(givenReason ?? "");
  const [files, setFiles] = useState<File[]>([]);
  const [fix, setFix] = useState<GpsFix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (view === undefined) return <main class="screen">{t("app.loading")}</main>;
  if (view === null) return <NotFound code={code} error={loadError} />;
  const targets = view.card?.allowed_statuses ?? [];
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!target) return setError(t("report.target"));
    if (!reason.trim()) return setError(t("report.needReason"));
    setBusy(true);
    setError(null);
    const args: Json = {
      asset_id: view.asset.id,
      to_status: target,
      base_version: view.card?.status_version ?? view.asset.status_version,
      reason: reason.trim(),
    };
    if (fix) args.gps = fixForCommand(fix);
    try {
      await sendReport(view, args, files);
      showToast(t("onlineOnly.sent"));
      navigate(`/a/${encodeURIComponent(code)}`);
    } catch (failure) {
      setError(
        failure instanceof NetworkError
          ? t("onlineOnly.needNetwork")
          : t("onlineOnly.failed", { message: failure instanceof ApiError ? failure.message : (failure as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="screen">
      <h1>
        {t("report.title")} · {String(view.asset.code)}
      </h1>
      {!isOnline && <p class="notice">{t("onlineOnly.needNetwork")}</p>}
      <form class="card" onSubmit={submit}>
        <div class="field">
          <label for="online-target">{t("report.target")}</label>
          <select id="online-target" data-testid="status-target" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="" disabled>
              —
            </option>
            {targets.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="online-reason">{t("report.reason")}</label>
          <textarea
            id="online-reason"
            data-testid="status-reason"
            rows={3}
            maxLength={1000}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <span class="field-label">{t("report.photos")}</span>
          <input
            id="online-photos"
            class="visually-hidden"
            data-testid="photo-input"
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            onChange={(e) => setFiles([...(e.currentTarget.files ?? [])])}
          />
          <label for="online-photos" class="button-like file-button">
            {t("photo.add")}
          </label>
          {files.length > 0 && <p class="hint">{t("photo.count", { count: files.length })}</p>}
        </div>
        <GpsCapture
          project={(view.project ?? undefined) as never}
          asset={view.asset as never}
          fix={fix}
          onFix={setFix}
        />
        {error && (
          <p class="error" role="alert" data-testid="report-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary big" data-testid="report-submit" disabled={busy}>
          {busy ? t("onlineOnly.sending") : t("onlineOnly.submit")}
        </button>
      </form>
    </main>
  );
}
