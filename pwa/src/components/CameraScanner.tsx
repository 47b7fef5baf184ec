/** The live camera scanner: a full-screen rear-camera view, read until a QR code is found. */
import { useEffect, useRef } from "preact/hooks";
import { CameraDenied, closeCamera, openCamera, scanVideo } from "../camera";
import { t } from "../i18n";

interface Props {
  onText: (text: string) => void;
  onError: (message: string) => void;
  onClose: () => void;
  /** What to scan, said over the camera view (e.g. "the label on the asset"). */
  hint?: string;
}

export function CameraScanner(props: Props) {
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
      <video ref={video} muted playsInline class="camera-video" data-testid="camera-video" />
      {props.hint && <p class="camera-hint">{props.hint}</p>}
      <button type="button" class="primary" data-testid="camera-stop" onClick={props.onClose}>
        {t("scan.stop")}
      </button>
    </div>
  );
}
