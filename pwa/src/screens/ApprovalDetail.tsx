/** One request: its evidence, and the manager's decision (confirm on site by scan + GPS, or reject). */
import { useEffect, useRef, useState } from "preact/hooks";
import { request as apiRequest, NetworkError } from "../api";
import { cachedRequest, fetchEvidence, flagsOf, lagParts, type Evidence } from "../approvals";
import { cameraAvailable } from "../camera";
import { CameraScanner } from "../components/CameraScanner";
import { EvidenceMap } from "../components/EvidenceMap";
import { GpsCapture } from "../components/GpsCapture";
import { getCached, type Cached } from "../db";
import { fixForCommand, type GpsFix } from "../gps";
import { t } from "../i18n";
import { decodeFile, parseLabel } from "../scan";
import { enqueue } from "../outbox";
import { navigate } from "../router";
import { online, session, showToast, useStore } from "../state";
import { onSyncStatus, syncNow } from "../sync";
import { formatTime } from "./AssetCard";

function num(value: unknown): number | null {
  const n = typeof value === "string" ? Number(value) : typeof value === "number" ? value : NaN;
  return Number.isFinite(n) ? n : null;
}

interface Thumbnail {
  sha256: string;
  url: string;
}

function useThumbnails(hashes: string[], pending: string[]): Thumbnail[] {
  const [urls, setUrls] = useState<Thumbnail[]>([]);
  const key = hashes.join(",");
  useEffect(() => {
    let live = true;
    const made: Thumbnail[] = [];
    void (async () => {
      for (const hash of hashes) {
        if (pending.includes(hash)) continue;
        try {
          const response = await apiRequest(`/api/photos/${hash}/thumbnail`, { allow404: true });
          if (!response) continue;
          made.push({ sha256: hash, url: URL.createObjectURL(await response.blob()) });
          if (live) setUrls([...made]);
        } catch {
          // Offline or gone: the photo count still shows below.
        }
      }
    })();
    return () => {
      live = false;
      made.forEach((made) => URL.revokeObjectURL(made.url));
    };
  }, [key]);
  return urls;
}

/** A photo full screen: the full-size picture where the server has it, the thumbnail meanwhile. */
function PhotoZoom({ photo, onClose }: { photo: Thumbnail; onClose: () => void }) {
  const [url, setUrl] = useState(photo.url);
  useEffect(() => {
    let made: string | null = null;
    void apiRequest(`/api/photos/${photo.sha256}/content`, { allow404: true })
      .then(async (response) => {
        if (response) setUrl((made = URL.createObjectURL(await response.blob())));
      })
      .catch(() => undefined);
    const escape = (event: KeyboardEvent) => event.key === "Escape" && onClose();
    window.addEventListener("keydown", escape);
    return () => {
      window.removeEventListener("keydown", escape);
      if (made) URL.revokeObjectURL(made);
    };
  }, [photo.sha256]);
  return (
    <div class="zoom" role="dialog" aria-modal="true" data-testid="photo-zoom" onClick={onClose}>
      <img src={url} alt="" />
      <button type="button" class="primary zoom-close" data-testid="photo-zoom-close" onClick={onClose}>
        {t("screens.evidence.close")}
      </button>
    </div>
  );
}

function lagText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return t("screens.evidence.lagPending");
  const { unit, n } = lagParts(seconds);
  return t("screens.evidence.lag", { lag: t(`screens.evidence.${unit}`, { n }) });
}

function flagLabel(flag: string): string {
  const key = `screens.evidence.flags.${flag}`;
  const label = t(key);
  return label === key ? flag.replace(/_/g, " ") : label;
}

export function ApprovalDetail({ id }: { id: number }) {
  const isOnline = useStore(online);
  const me = useStore(session);
  const [request, setRequest] = useState<Cached | null | undefined>(undefined);
  const [asset, setAsset] = useState<Cached | undefined>(undefined);
  const [project, setProject] = useState<Cached | undefined>(undefined);
  const [evidence, setEvidence] = useState<Evidence | undefined>(undefined);
  const [scanText, setScanTextState] = useState("");
  // The confirm button may be pressed while a label photo is still being decoded: it waits for it.
  const latestScan = useRef("");
  const decoding = useRef<Promise<void> | null>(null);
  const deciding = useRef(false);
  const [reading, setReading] = useState(false);
  // How the label text came: read from a picture taken here, or typed/pasted (flagged on the confirmation).
  const scanSource = useRef<"camera" | "typed">("typed");
  const setScanText = (text: string, source: "camera" | "typed") => {
    latestScan.current = text;
    scanSource.current = source;
    setScanTextState(text);
  };
  const [fix, setFix] = useState<GpsFix | null>(null);
  const [remote, setRemote] = useState(false);
  const [remoteReason, setRemoteReason] = useState("");
  const [rejectReason, setRejectReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [scanError, setScanError] = useState<string | null>(null);
  const [cameraOn, setCameraOn] = useState(false);
  const [zoomed, setZoomed] = useState<Thumbnail | null>(null);

  useEffect(() => {
    let live = true;
    let fetched = false;
    let latest: Evidence | undefined;
    const load = async () => {
      const cached = await cachedRequest(id);
      let fresh: Evidence | undefined;
      if (!fetched && navigator.onLine) {
        try {
          // Read from the server too: the first sync may not have brought this request yet.
          fresh = await fetchEvidence(id);
          latest = fresh;
          fetched = true;
        } catch (failure) {
          if (!(failure instanceof NetworkError)) setError((failure as Error).message);
        }
      }
      if (!live) return;
      const known = (cached ?? (fresh as unknown as Cached | undefined)) ?? null;
      setRequest(known);
      if (!known) return;
      setEvidence(latest ?? (cached?._evidence as Evidence | undefined));
      setAsset(await getCached("cache_assets", Number(known.asset_id)));
      setProject(await getCached("cache_projects", Number(known.project_id)));
    };
    void load();
    let first = true;
    const stop = onSyncStatus((status) => {
      if (!first && !status.running) void load();
      first = false;
    });
    return () => {
      live = false;
      stop();
    };
  }, [id]);

  const photoHashes = evidence?.photo_hashes ?? [];
  const thumbnails = useThumbnails(photoHashes, evidence?.evidence_pending ?? []);

  if (request === undefined) return <main class="screen">{t("app.loading")}</main>;
  if (request === null) {
    return (
      <main class="screen">
        <p class="error" role="alert">
          {t("approvals.notFound")}
        </p>
      </main>
    );
  }

  const assetCode = String(asset?.code ?? evidence?.asset_code ?? "");
  const conflict =
    Boolean(evidence?.conflict ?? request.conflict) ||
    (asset !== undefined && Number(asset.status_version) !== Number(request.base_version));
  const flags = evidence ? flagsOf(evidence) : [];
  const remoteAllowed = Boolean(project?.remote_confirmation_allowed);

  const done = async (name: string, args: Record<string, unknown>, summary: string) => {
    if (deciding.current) return;
    deciding.current = true;
    await enqueue({ name, args, summary });
    showToast(t("toast.queued"));
    navigate("/approvals");
    void syncNow().catch(() => undefined);
  };

  const readLabel = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setScanError(null);
    setReading(true);
    decoding.current = (async () => {
      try {
        const [text] = await decodeFile(file);
        if (text) setScanText(text, "camera");
        else setScanError(t("scan.none"));
      } catch (failure) {
        setScanError(t("error.generic", { message: (failure as Error).message }));
      } finally {
        input.value = "";
        setReading(false);
        decoding.current = null;
      }
    })();
  };

  const problemOf = (parsedLabel: ReturnType<typeof parseLabel> | null): string | null =>
    parsedLabel && !parsedLabel.ok
      ? t(`scan.${parsedLabel.problem}`, { code: "" })
      : parsedLabel?.ok && !parsedLabel.signed
        ? t("screens.confirm.needSigned")
        : parsedLabel?.ok && assetCode && parsedLabel.code !== assetCode
          ? t("approvals.wrongAsset", { code: parsedLabel.code })
          : null;
  const parsed = scanText ? parseLabel(scanText) : null;
  const scanProblem = problemOf(parsed);

  const confirm = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const args: Record<string, unknown> = { request_id: request.id };
    if (remote) {
      if (!remoteReason.trim()) return setError(t("approvals.needReason"));
      args.remote = true;
      args.remote_reason = remoteReason.trim();
    } else {
      if (decoding.current) await decoding.current;
      const label = latestScan.current ? parseLabel(latestScan.current) : null;
      const problem = problemOf(label);
      if (!label?.ok || problem) return setError(problem ?? t("approvals.needScan"));
      if (!fix) return setError(t("approvals.needGps"));
      args.scan = label.text;
      args.scan_source = scanSource.current;
      args.gps = fixForCommand(fix);
    }
    await done("status_change.confirm", args, `${assetCode}: ✓ ${t(`status.${String(request.to_status)}`)}`);
  };

  const reject = async (event: Event) => {
    event.preventDefault();
    if (!rejectReason.trim()) return setError(t("approvals.needReason"));
    await done(
      "status_change.reject",
      { request_id: request.id, reason: rejectReason.trim() },
      `${assetCode}: ✗ ${t(`status.${String(request.to_status)}`)}`,
    );
  };

  const distance = num(evidence?.fence_distance_m);
  const accuracy = num(evidence?.accuracy_m ?? null);
  return (
    <main class="screen">
      <h1>
        {t("approvals.detail", { id: request.id })} · {assetCode}
      </h1>
      <p>
        <strong>
          {t(`status.${String(request.from_status)}`)} → {t(`status.${String(request.to_status)}`)}
        </strong>
      </p>
      <p data-testid="request-reason">{t("screens.evidence.reasonLine", { reason: String(request.reason ?? "") })}</p>
      <dl class="evidence-facts">
        <dd data-testid="evidence-reporter">
          {t("screens.evidence.reporter", {
            name: String(
              evidence?.applicant_name ??
                request.applicant_name ??
                (request.applicant_id === me?.user.id ? t("screens.evidence.you") : `#${String(request.applicant_id ?? "")}`),
            ),
          })}
        </dd>
        {(evidence?.captured_at ?? request.captured_at) ? (
          <dd data-testid="evidence-captured">
            {t("screens.evidence.captured", { time: formatTime(evidence?.captured_at ?? request.captured_at, project?.timezone) })}
          </dd>
        ) : null}
        <dd data-testid="evidence-received">
          {t("screens.evidence.received", {
            time: formatTime(evidence?.submitted_at ?? request.submitted_at, project?.timezone),
          })}
        </dd>
      </dl>
      {(evidence?.report_remote_reason ?? request.report_remote_reason) ? (
        <p class="notice" data-testid="evidence-remote-reason">
          {t("screens.evidence.remoteReason", {
            reason: String(evidence?.report_remote_reason ?? request.report_remote_reason),
          })}
        </p>
      ) : null}
      {conflict && (
        <p class="error" data-testid="evidence-conflict" role="alert">
          {t("approvals.conflict")}
        </p>
      )}
      <section class="card" aria-label={t("approvals.evidence")}>
        <h2>{t("approvals.evidence")}</h2>
        {!evidence && !isOnline && <p class="hint">{t("approvals.offlineEvidence")}</p>}
        <div class="evidence-photos" data-testid="evidence-photos">
          {thumbnails.map((thumbnail, i) => {
            const received = evidence?.photos?.find((photo) => photo.sha256 === thumbnail.sha256);
            return (
              <figure key={thumbnail.sha256} class="evidence-photo">
                <button
                  type="button"
                  class="photo-button"
                  data-testid="evidence-photo"
                  aria-label={t("screens.evidence.zoom", { n: i + 1 })}
                  onClick={() => setZoomed(thumbnail)}
                >
                  <img src={thumbnail.url} alt={`${t("approvals.photos")} ${i + 1}`} />
                </button>
                {evidence?.photos && (
                  <figcaption class="hint" data-testid="evidence-photo-lag">
                    {lagText(received?.upload_lag_s)}
                  </figcaption>
                )}
              </figure>
            );
          })}
          {!photoHashes.length && <p class="hint">{t("approvals.noPhotos")}</p>}
          {Boolean(evidence?.evidence_pending.length) && (
            <p class="hint">{t("approvals.photosPending", { count: evidence!.evidence_pending.length })}</p>
          )}
        </div>
        <EvidenceMap
          fence={evidence?.fence ?? asset?.geofence ?? project?.geofence ?? null}
          radius_m={
            evidence?.fence
              ? num(evidence.fence_radius_m)
              : num(asset?.geofence ? asset.geofence_radius_m : project?.geofence_radius_m)
          }
          latitude={num(evidence?.latitude ?? null)}
          longitude={num(evidence?.longitude ?? null)}
          accuracy_m={accuracy}
        />
        <p data-testid="evidence-distance">
          {t("screens.evidence.distance", {
            distance: distance === null ? "—" : t("screens.metres", { n: Math.round(distance) }),
          })}
        </p>
        <p data-testid="evidence-accuracy">
          {t("screens.evidence.accuracy", {
            accuracy: accuracy === null ? t("approvals.noGps") : `±${t("screens.metres", { n: Math.round(accuracy) })}`,
          })}
        </p>
        <div data-testid="evidence-flags">
          <h3>{t("approvals.flags")}</h3>
          {!flags.length && <p class="hint">{t("approvals.noFlags")}</p>}
          <ul class="flags">
            {flags.map((flag) => (
              <li key={flag} class="flag" data-testid="evidence-flag" data-flag={flag}>
                {flagLabel(flag)}
              </li>
            ))}
          </ul>
        </div>
      </section>

      <form class="card" onSubmit={confirm}>
        <h2>{t("approvals.confirmTitle")}</h2>
        <p class="hint" data-testid="confirm-explain">
          {t("screens.confirm.explain")}
        </p>
        {remoteAllowed && (
          <label class="choice">
            <input type="checkbox" checked={remote} onChange={(e) => setRemote(e.currentTarget.checked)} /> {t("approvals.remote")}
          </label>
        )}
        {remote ? (
          <div class="field">
            <label for="remote-reason">{t("approvals.reason")}</label>
            <textarea
              id="remote-reason"
              maxLength={1000}
              value={remoteReason}
              onInput={(e) => setRemoteReason(e.currentTarget.value)}
            />
          </div>
        ) : (
          <>
            <button
              type="button"
              class="primary big"
              data-testid="confirm-scan-camera"
              onClick={() => {
                setScanError(null);
                if (cameraAvailable()) setCameraOn(true);
                else setScanError(t("scan.cameraUnavailable"));
              }}
            >
              {t("screens.confirm.scan")}
            </button>
            {cameraOn && (
              <CameraScanner
                hint={t("screens.confirm.explain")}
                onText={(text) => {
                  setCameraOn(false);
                  setScanText(text, "camera");
                }}
                onError={(message) => {
                  setCameraOn(false);
                  setScanError(message);
                }}
                onClose={() => setCameraOn(false)}
              />
            )}
            {parsed?.ok && parsed.signed && !scanProblem && scanSource.current === "camera" && (
              <p class="scan-ok" data-testid="confirm-scanned" data-code={parsed.code}>
                {t("screens.confirm.scanned", { code: parsed.code })}
              </p>
            )}
            <div class="field">
              <input
                id="confirm-scan-file"
                class="visually-hidden"
                type="file"
                accept="image/*"
                capture="environment"
                data-testid="confirm-scan-file"
                onChange={readLabel}
              />
              <label for="confirm-scan-file" class="button-like file-button">
                {t("screens.confirm.orPhoto")}
              </label>
              {reading && <p class="hint">{t("scan.decoding")}</p>}
            </div>
            <div class="field">
              <label for="confirm-scan-code">{t("screens.confirm.orType")}</label>
              <input
                id="confirm-scan-code"
                data-testid="confirm-scan-code"
                autocomplete="off"
                value={scanText}
                onInput={(e) => setScanText(e.currentTarget.value, "typed")}
              />
              {parsed?.ok && !scanProblem && scanSource.current === "typed" && (
                <p class="hint">{t("approvals.confirmScanned", { code: parsed.code })}</p>
              )}
              {(scanProblem || scanError) && (
                <p class="error" role="alert" data-testid="confirm-scan-problem">
                  {scanError ?? scanProblem}
                </p>
              )}
            </div>
            <GpsCapture project={project} asset={asset} fix={fix} onFix={setFix} />
          </>
        )}
        <button type="submit" class="primary big" data-testid="confirm-submit">
          {t("approvals.confirmSubmit")}
        </button>
      </form>

      <form class="card" onSubmit={reject}>
        <h2>{t("approvals.rejectTitle")}</h2>
        <div class="field">
          <label for="reject-reason">{t("approvals.rejectReason")}</label>
          <textarea
            id="reject-reason"
            data-testid="reject-reason"
            maxLength={1000}
            value={rejectReason}
            onInput={(e) => setRejectReason(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="danger big" data-testid="reject-submit">
          {t("approvals.rejectSubmit")}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {zoomed && <PhotoZoom photo={zoomed} onClose={() => setZoomed(null)} />}
    </main>
  );
}
