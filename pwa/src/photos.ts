/** Evidence photos: compressed on the phone to a JPEG of at most 1920 px, keyed by the SHA-256 of its bytes. */
import { putPhoto, type StoredPhoto } from "./db";

export const MAX_SIDE_PX = 1920;
/** What stays on the phone once the server has the photo. */
export const THUMB_SIDE_PX = 160;
const QUALITY = 0.82;
const THUMB_QUALITY = 0.6;

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function encode(bitmap: ImageBitmap, maxSide: number, quality: number): Promise<Blob> {
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("Canvas is not available");
  context.drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("Could not encode the photo"))), "image/jpeg", quality),
  );
}

/** The photo scaled down to fit 1920 px and re-encoded as JPEG, and a thumbnail of it. */
export async function compress(file: Blob): Promise<{ blob: Blob; thumb: Blob }> {
  const bitmap = await createImageBitmap(file);
  try {
    return { blob: await encode(bitmap, MAX_SIDE_PX, QUALITY), thumb: await encode(bitmap, THUMB_SIDE_PX, THUMB_QUALITY) };
  } finally {
    bitmap.close();
  }
}

/** Compress, hash and keep a photo for upload; the hash is what commands cite. */
export async function storePhoto(file: Blob, assetId: number): Promise<StoredPhoto & { blob: Blob }> {
  const { blob, thumb } = await compress(file);
  const sha256 = await sha256Hex(await blob.arrayBuffer());
  const photo = { sha256, blob, thumb, size: blob.size, asset_id: assetId, state: "pending" as const, created_at: Date.now() };
  await putPhoto(photo);
  return photo;
}
