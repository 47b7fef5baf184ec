/** Evidence photos: compressed on the phone to a JPEG of at most 1920 px, keyed by the SHA-256 of its bytes. */
import { putPhoto, type StoredPhoto } from "./db";

export const MAX_SIDE_PX = 1920;
const QUALITY = 0.82;

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The photo scaled down to fit 1920 px and re-encoded as JPEG. */
export async function compress(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE_PX / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("Canvas is not available");
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("Could not encode the photo"))), "image/jpeg", QUALITY),
  );
}

/** Compress, hash and keep a photo for upload; the hash is what commands cite. */
export async function storePhoto(file: Blob, assetId: number): Promise<StoredPhoto> {
  const blob = await compress(file);
  const sha256 = await sha256Hex(await blob.arrayBuffer());
  const photo: StoredPhoto = { sha256, blob, asset_id: assetId, state: "pending", created_at: Date.now() };
  await putPhoto(photo);
  return photo;
}
