/** Reading asset labels: parse the label URL, and decode QR codes from the camera or a photo. */

export type ScanProblem = "empty" | "not_a_url" | "foreign" | "malformed" | "unsupported_version" | "unknown_asset";

export type ParsedLabel =
  | { ok: true; code: string; signed: boolean; text: string }
  | { ok: false; problem: ScanProblem };

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SIGNATURE = /^[0-9][A-Za-z0-9_-]{8}$/;

/**
 * What a scanned or typed text names: a label URL `<base>/a/<code>?s=<version><signature>`, or a bare asset
 * code. The signature itself is checked by the server when the command is applied.
 */
export function parseLabel(raw: string): ParsedLabel {
  const text = raw.trim();
  if (!text) return { ok: false, problem: "empty" };
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) {
    return CODE.test(text) ? { ok: true, code: text, signed: false, text } : { ok: false, problem: "not_a_url" };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: "not_a_url" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, problem: "not_a_url" };
  if (!url.pathname.startsWith("/a/")) return { ok: false, problem: "foreign" };
  // As the server reads it: the code as it stands in the path, `s` the only parameter, no fragment.
  const code = url.pathname.slice(3);
  const [key, ...rest] = url.search.slice(1).split("=");
  const signature = rest.join("=");
  if (!CODE.test(code) || key !== "s" || !signature || signature.includes("&") || url.hash) {
    return { ok: false, problem: "malformed" };
  }
  if (!/^[0-9]/.test(signature)) return { ok: false, problem: "malformed" };
  if (signature[0] !== "1") return { ok: false, problem: "unsupported_version" };
  if (!SIGNATURE.test(signature)) return { ok: false, problem: "malformed" };
  return { ok: true, code, signed: true, text };
}

interface Detector {
  detect(source: ImageBitmapSource): Promise<{ rawValue: string }[]>;
}

type NativeDetectorClass = new (options: { formats: string[] }) => Detector;

function nativeDetector(): NativeDetectorClass | null {
  const candidate = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  return candidate ?? null;
}

let native: Promise<Detector | null> | null = null;

async function nativeQrDetector(): Promise<Detector | null> {
  native ??= (async () => {
    const Native = nativeDetector();
    if (!Native) return null;
    const formats = await (Native as unknown as { getSupportedFormats?: () => Promise<string[]> })
      .getSupportedFormats?.()
      .catch(() => [] as string[]);
    return formats?.includes("qr_code") ? new Native({ formats: ["qr_code"] }) : null;
  })();
  return native;
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (values: string[]) => void; reject: (error: Error) => void }>();

function decoderWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL("./scan.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<{ id: number; values?: string[]; error?: string }>) => {
      const pending = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      if (event.data.error) pending?.reject(new Error(event.data.error));
      else pending?.resolve(event.data.values ?? []);
    };
  }
  return worker;
}

/** The texts of the QR codes in an image: the native detector where there is one, else ZXing in a worker. */
export async function decodeImage(bitmap: ImageBitmap): Promise<string[]> {
  const detector = await nativeQrDetector();
  if (detector) {
    const found = await detector.detect(bitmap);
    return found.map((barcode) => barcode.rawValue);
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    decoderWorker().postMessage({ id, bitmap }, [bitmap]);
  });
}

/** Decode a photo of a label. */
export async function decodeFile(file: Blob): Promise<string[]> {
  return decodeImage(await createImageBitmap(file));
}
