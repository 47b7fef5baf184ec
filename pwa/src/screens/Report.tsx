/** Reporting a status change: target, reason, photos and a GPS fix, queued as one command. */
import { useState } from "preact/hooks";
import { allowedTargets, useAsset } from "../assets";
import { GpsCapture } from "../components/GpsCapture";
import { PhotoPicker, type PickedPhoto } from "../components/PhotoPicker";
import { fixForCommand, type GpsFix } from "../gps";
import { t } from "../i18n";
import { enqueue } from "../outbox";
import { navigate } from "../router";
import { showToast } from "../state";
import { syncNow } from "../sync";
import { AssetLoading, AssetNotFound } from "../components/AssetMissing";

export function Report({ code }: { code: string }) {
  const { view } = useAsset(code);
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [fix, setFix] = useState<GpsFix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [compressing, setCompressing] = useState(false);

  if (view === undefined) return <AssetLoading />;
  if (view === null) return <AssetNotFound code={code} />;
  const { asset, project } = view;
  const targets = allowedTargets(view);
  const chosen = target || targets[0] || "";

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError(t("report.needReason"));
      return;
    }
    setBusy(true);
    const hashes = photos.map((photo) => photo.sha256);
    const args: Record<string, unknown> = {
      asset_id: asset.id,
      to_status: chosen,
      base_version: asset.status_version,
      reason: reason.trim(),
    };
    if (fix) args.gps = fixForCommand(fix);
    if (hashes.length) args.photo_hashes = hashes;
    await enqueue({
      name: "status_change.request",
      args,
      photo_hashes: hashes,
      summary: `${String(asset.code)}: ${t(`status.${String(asset.status)}`)} → ${t(`status.${chosen}`)}`,
    });
    showToast(t("toast.queued"));
    navigate(`/a/${encodeURIComponent(code)}`);
    void syncNow().catch(() => undefined);
  };

  return (
    <main class="screen">
      <h1>
        {t("report.title")} · {String(asset.code)}
      </h1>
      {view.openRequest && <p class="notice">{t("report.open")}</p>}
      <form onSubmit={submit} class="card">
        <div class="field">
          <label for="status-target">{t("report.target")}</label>
          <select
            id="status-target"
            data-testid="status-target"
            value={chosen}
            onChange={(e) => setTarget(e.currentTarget.value)}
            disabled={!targets.length}
          >
            {targets.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
          {!targets.length && <p class="hint">{t("report.noTargets")}</p>}
        </div>
        <div class="field">
          <label for="status-reason">{t("report.reason")}</label>
          <textarea
            id="status-reason"
            data-testid="status-reason"
            rows={3}
            maxLength={1000}
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        <PhotoPicker
          id="report-photos"
          assetId={asset.id}
          photos={photos}
          onChange={setPhotos}
          onBusy={setCompressing}
          label={t("report.photos")}
        />
        <GpsCapture project={project} asset={asset} fix={fix} onFix={setFix} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary big" data-testid="report-submit" disabled={busy || compressing || !targets.length}>
          {t("report.submit")}
        </button>
      </form>
    </main>
  );
}
