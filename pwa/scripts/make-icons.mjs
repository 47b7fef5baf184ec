// Draws the app icons (a white "L" on the brand blue) as PNGs, with no dependencies: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const BLUE = [13, 71, 161];
const WHITE = [255, 255, 255];

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** `safe` is the share of the icon the glyph may use (maskable icons keep to the central 80 %). */
function icon(size, safe) {
  const rows = [];
  const margin = (size * (1 - safe)) / 2;
  const unit = (size - 2 * margin) / 10;
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x += 1) {
      const gx = (x - margin) / unit;
      const gy = (y - margin) / unit;
      const stem = gx >= 2.5 && gx < 4.3 && gy >= 1.5 && gy < 8.5;
      const foot = gx >= 2.5 && gx < 7.5 && gy >= 6.7 && gy < 8.5;
      const [r, g, b] = stem || foot ? WHITE : BLUE;
      row[1 + x * 3] = r;
      row[2 + x * 3] = g;
      row[3 + x * 3] = b;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = new URL("../public/icons/", import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL("icon-192.png", out), icon(192, 1));
writeFileSync(new URL("icon-512.png", out), icon(512, 1));
writeFileSync(new URL("icon-maskable-512.png", out), icon(512, 0.8));
