/** The camera scanner: a rear-camera stream, decoded a few times a second until a QR code is read. */
import { decodeImage } from "./scan";

export class CameraDenied extends Error {
  constructor() {
    super("Camera permission denied");
    this.name = "CameraDenied";
  }
}

export function cameraAvailable(): boolean {
  return Boolean(globalThis.navigator?.mediaDevices?.getUserMedia);
}

export async function openCamera(video: HTMLVideoElement): Promise<MediaStream> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } },
      audio: false,
    });
    video.srcObject = stream;
    video.setAttribute("playsinline", "true");
    await video.play();
    return stream;
  } catch (error) {
    if (error instanceof DOMException && (error.name === "NotAllowedError" || error.name === "SecurityError")) {
      throw new CameraDenied();
    }
    throw error;
  }
}

export function closeCamera(stream: MediaStream | null): void {
  stream?.getTracks().forEach((track) => track.stop());
}

/** Decode frames until one holds a QR code or `signal` aborts; resolves with the code's text. */
export async function scanVideo(video: HTMLVideoElement, signal: AbortSignal): Promise<string | null> {
  while (!signal.aborted) {
    if (video.readyState >= 2 && video.videoWidth > 0) {
      const frame = await createImageBitmap(video);
      const [text] = await decodeImage(frame).catch(() => [] as string[]);
      if (text) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}
