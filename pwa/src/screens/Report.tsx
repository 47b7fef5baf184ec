/** Reporting a status change: target, reason, photos and presence at the asset, queued as one command. */
import { useState } from "preact/hooks";
import { allowedTargets, reportBlocker, reportPrefill, useAsset, type AssetView } from "../assets";
import { AssetLoading, AssetNotFound } from "../components/AssetMissing";
import { PhotoPicker, type PickedPhoto } from "../components/PhotoPicker";
import { presenceArgs, PresenceCheck, usePresence } from "../components/PresenceCheck";
import { t } from "../i18n";
import { enqueue } from "../outbox";
import { navigate } from "../router";
import { isManager, session, showToast, useStore } from "../state";
import { syncNow } from "../sync";

export function Report({ code }: { code: string }) {
  const { view } = useAsset(code);
  if (view === undefined) return <AssetLoading />;
  if (view === null) return <AssetNotFound code={code} />;
  const blocker = reportBlocker(view.asset.id, view.requests, view.unsent);
  if (blocker) return <ReportBlocked code={code} view={view} />;
  return <ReportForm code={code} view={view} />;
}

/** Instead of the form: the request (or unsent report) that is already on its way, and where to see it. */
function ReportBlocked({ code, view }: { code: string; view: AssetView }) {
  const current = useStore(session);
  const blocker = reportBlocker(view.asset.id, view.requests, view.unsent)!;
  const own = blocker.kind === "unsent" || blocker.request.applicant_id === current?.user.id;
  const href =
    blocker.kind === "pending" && isManager(current) && !own ? `/approvals/${blocker.request.id}` : `/a/${encodeURIComponent(code)}`;
  const from = blocker.kind === "pending" ? blocker.request.from_status : view.asset.status;
  const to = blocker.kind === "pending" ? blocker.request.to_status : blocker.entry.args.to_status;
  return (
    <main class="screen">
      <h1>
        {t("report.title")} · {String(view.asset.code)}
      </h1>
      <p class="notice" data-testid="report-blocked" data-kind={blocker.kind}>
        {t(blocker.kind === "pending" ? "screens.report.blockedPending" : "screens.report.blockedUnsent", {
          from: t(`status.${String(from)}`),
          to: t(`status.${String(to)}`),
        })}{" "}
        <a href={blocker.kind === "unsent" ? "/outbox" : href} data-testid="report-blocked-view">
          {t("screens.report.viewIt")}
        </a>
      </p>
    </main>
  );
}

function ReportForm({ code, view }: { code: string; view: AssetView }) {
  const { asset, project } = view;
  const targets = allowedTargets(view);
  const [prefill] = useState(() => reportPrefill(location.search, targets));
  const [target, setTarget] = useState(prefill.to);
  const [reason, setReason] = useState(prefill.reason);
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [compressing, setCompressing] = useState(false);
  const presence = usePresence(project, asset);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!target) return setError(t("screens.report.needTarget"));
    if (!reason.trim()) return setError(t("report.needReason"));
    if (!presence.presence.ok) return setError(t("screens.presence.blocked"));
    setBusy(true);
    const hashes = photos.map((photo) => photo.sha256);
    const args: Record<string, unknown> = {
      asset_id: asset.id,
      to_status: target,
      base_version: asset.status_version,
      reason: reason.trim(),
      ...presenceArgs(presence.presence),
    };
    if (hashes.length) args.photo_hashes = hashes;
    await enqueue({
      name: "status_change.request",
      args,
      photo_hashes: hashes,
      summary: `${String(asset.code)}${t("screens.colon")}${t(`status.${String(asset.status)}`)} → ${t(`status.${target}`)}`,
    });
    showToast(t("toast.queued"));
    navigate(`/a/${encodeURIComponent(code)}`);
    void syncNow().catch(() => undefined);
  };

  const ready = Boolean(target) && presence.presence.ok && !busy && !compressing;
  return (
    <main class="screen">
      <h1>
        {t("report.title")} · {String(asset.code)}
      </h1>
      <form onSubmit={submit} class="card">
        <div class="field">
          <label for="status-target">{t("report.target")}</label>
          <select
            id="status-target"
            data-testid="status-target"
            value={target}
            onChange={(e) => setTarget(e.currentTarget.value)}
            disabled={!targets.length}
            required
          >
            <option value="" disabled>
              {t("screens.report.choose")}
            </option>
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
        <PresenceCheck project={project} asset={asset} state={presence} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary big" data-testid="report-submit" disabled={!ready}>
          {t("report.submit")}
        </button>
      </form>
    </main>
  );
}
