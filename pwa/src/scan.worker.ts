/// <reference lib="webworker" />
/** Decodes QR codes with the ZXing WebAssembly build, served from our own origin (works offline). */
import { BarcodeDetector, prepareZXingModule } from "barcode-detector/ponyfill";
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";

prepareZXingModule({
  overrides: {
    locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
  },
});

const detector = new BarcodeDetector({ formats: ["qr_code"] });

self.onmessage = async (event: MessageEvent<{ id: number; bitmap: ImageBitmap }>) => {
  const { id, bitmap } = event.data;
  try {
    const found = await detector.detect(bitmap);
    self.postMessage({ id, values: found.map((barcode) => barcode.rawValue) });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  } finally {
    bitmap.close();
  }
};
