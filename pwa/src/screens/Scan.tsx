/** The scan screen: camera, a photo of a label, or the code typed in; a known asset opens its card. */
import { useEffect, useRef, useState } from "preact/hooks";
import { CameraDenied, cameraAvailable, closeCamera, openCamera, scanVideo } from "../camera";
import { ReminderTasks } from "../components/ReminderTasks";
import { db } from "../db";
import { t } from "../i18n";
import { resolveLabel } from "../labels";
import { navigate } from "../router";
import { decodeFile } from "../scan";

export function Scan() {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [cached, setCached] = useState<number | null>(null);

  useEffect(() => {
    void db().then((database) => database.count("cache_assets").then(setCached));
  }, []);

  const open = async (text: string) => {
    const resolved = await resolveLabel(text);
    if (resolved.ok) {
      navigate(`/a/${encodeURIComponent(String(resolved.asset.code))}`);
    } else {
      setError(t(`scan.${resolved.problem}`, { code: resolved.code ?? "" }));
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    await open(code);
  };

  const fromFile = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(null);
    setBusy(true);
    try {
      const [text] = await decodeFile(file);
      if (text) await open(text);
      else setError(t("scan.none"));
    } catch (failure) {
      setError(t("error.generic", { message: (failure as Error).message }));
    } finally {
      setBusy(false);
      input.value = "";
    }
  };

  return (
    <main class="screen">
      <h1>{t("scan.title")}</h1>
      <ReminderTasks />
      <button
        type="button"
        class="primary big"
        data-testid="scan-camera"
        onClick={() => {
          setError(null);
          if (cameraAvailable()) setScanning(true);
          else setError(t("scan.cameraUnavailable"));
        }}
      >
        {t("scan.camera")}
      </button>
      {scanning && (
        <CameraScanner
          onText={(text) => {
            setScanning(false);
            void open(text);
          }}
          onError={(message) => {
            setScanning(false);
            setError(message);
          }}
          onClose={() => setScanning(false)}
        />
      )}
      <div class="field">
        <label for="scan-file" class="button-like">
          {t("scan.file")}
        </label>
        <input id="scan-file" class="file" type="file" accept="image/*" data-testid="scan-file" onChange={fromFile} />
        {busy && <p class="hint">{t("scan.decoding")}</p>}
      </div>
      <form onSubmit={submit} class="inline-form">
        <label for="scan-code">{t("scan.code")}</label>
        <div class="row">
          <input
            id="scan-code"
            data-testid="scan-code"
            autocapitalize="characters"
            autocomplete="off"
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
          <button type="submit" data-testid="scan-code-submit">
            {t("scan.submit")}
          </button>
        </div>
      </form>
      {error && (
        <p class="error" data-testid="scan-error" role="alert">
          {error}
        </p>
      )}
      {cached !== null && <p class="hint">{t("scan.cached", { count: cached })}</p>}
    </main>
  );
}

function CameraScanner(props: { onText: (text: string) => void; onError: (message: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    let stream: MediaStream | null = null;
    (async () => {
      try {
        stream = await openCamera(video.current!);
        if (abort.signal.aborted) {
          closeCamera(stream);
          return;
        }
        const text = await scanVideo(video.current!, abort.signal);
        if (text) props.onText(text);
      } catch (error) {
        if (!abort.signal.aborted) {
          props.onError(error instanceof CameraDenied ? t("scan.cameraDenied") : t("scan.cameraUnavailable"));
        }
      }
    })();
    return () => {
      abort.abort();
      closeCamera(stream);
    };
  }, []);
  return (
    <div class="camera" role="dialog" aria-label={t("scan.camera")}>
      <video ref={video} muted playsInline class="camera-video" />
      <button type="button" class="primary" onClick={props.onClose}>
        {t("scan.stop")}
      </button>
    </div>
  );
}
