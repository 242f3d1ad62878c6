// A tiny RGB raster with PNG output, for the charts embedded in the .docx report (docx takes
// images only, and no SVG rasteriser is installed). Lines, rectangles and polylines are enough
// for the S-T curve and the talk bars; labels go in the document text beside the image.
import { deflateSync } from 'node:zlib';

export class Raster {
  readonly px: Uint8Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Uint8Array(w * h * 3).fill(255);
  }

  set(x: number, y: number, [r, g, b]: [number, number, number]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const i = (y * this.w + x) * 3;
    this.px[i] = r;
    this.px[i + 1] = g;
    this.px[i + 2] = b;
  }

  rect(x: number, y: number, w: number, h: number, c: [number, number, number]): void {
    for (let j = Math.round(y); j < Math.round(y + h); j++) for (let i = Math.round(x); i < Math.round(x + w); i++) this.set(i, j, c);
  }

  line(x0: number, y0: number, x1: number, y1: number, c: [number, number, number], width = 2): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    const r = (width - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) this.set(x + dx, y + dy, c);
    }
  }

  png(): Buffer {
    const raw = Buffer.alloc((this.w * 3 + 1) * this.h);
    for (let y = 0; y < this.h; y++) {
      raw[y * (this.w * 3 + 1)] = 0;
      Buffer.from(this.px.buffer, y * this.w * 3, this.w * 3).copy(raw, y * (this.w * 3 + 1) + 1);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.w, 0);
    ihdr.writeUInt32BE(this.h, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  }
}

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export const COLORS = {
  axis: [90, 90, 90] as [number, number, number],
  teacher: [214, 69, 65] as [number, number, number],
  student: [38, 120, 178] as [number, number, number],
  silence: [200, 200, 200] as [number, number, number],
  grid: [230, 230, 230] as [number, number, number],
};

/** S-T curve: x = T count, y = S count (up), equal scales, with the diagonal. */
export function stCurvePng(curve: Array<[number, number]>, size = 360): Buffer {
  const r = new Raster(size, size);
  const pad = 20;
  const max = Math.max(1, ...curve.map(([t, s]) => Math.max(t, s)));
  const k = (size - 2 * pad) / max;
  r.line(pad, pad, size - pad, size - pad, COLORS.grid, 1);
  r.line(pad, size - pad, size - pad, size - pad, COLORS.axis, 2);
  r.line(pad, pad, pad, size - pad, COLORS.axis, 2);
  for (let i = 1; i < curve.length; i++) {
    const [t0, s0] = curve[i - 1];
    const [t1, s1] = curve[i];
    r.line(pad + t0 * k, size - pad - s0 * k, pad + t1 * k, size - pad - s1 * k, t1 > t0 ? COLORS.teacher : COLORS.student, 3);
  }
  return r.png();
}

/** Horizontal stacked bar of talk cells over time: teacher / student / silence. */
export function talkStripPng(cells: Array<'T' | 'S' | '-'>, width = 600, height = 60): Buffer {
  const r = new Raster(width, height);
  const w = width / Math.max(1, cells.length);
  cells.forEach((c, i) => r.rect(i * w, 0, Math.max(1, w), height, c === 'T' ? COLORS.teacher : c === 'S' ? COLORS.student : COLORS.silence));
  return r.png();
}
