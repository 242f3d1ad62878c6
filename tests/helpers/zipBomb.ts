// Zip files built byte by byte for the upload-hardening tests: entries of many megabytes of one
// repeated byte deflate ~1000:1, so a 100 MB part fits in a 100 KB upload. `claimSize` lets an
// entry's headers lie about its inflated size (the trick that fools a check of claims alone).
import { crc32, createDeflateRaw } from 'node:zlib';

export interface BombEntry {
  name: string;
  /** Inflated size in bytes. */
  size: number;
  /** What the headers say the inflated size is (default: the truth). */
  claimSize?: number;
  /** What the entry starts with (e.g. an XML prolog); the rest is spaces. */
  head?: string;
}

async function deflated(head: Buffer, size: number): Promise<{ data: Buffer; crc: number }> {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const z = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((resolve, reject) => (z.on('end', resolve), z.on('error', reject)));
  let crc = crc32(head);
  z.write(head);
  for (let left = size - head.length; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(part, crc);
    if (!z.write(part)) await new Promise((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return { data: Buffer.concat(out), crc };
}

export async function zipOf(entries: BombEntry[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const { data, crc } = await deflated(Buffer.from(e.head ?? '', 'utf8'), e.size);
    const claim = e.claimSize ?? e.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(claim, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4); // made by
    cd.writeUInt16LE(20, 6); // needed
    cd.writeUInt16LE(0, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(claim, 24);
    cd.writeUInt16LE(name.length, 28);
    // extra, comment, disk, internal and external attributes: 0
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(cd, name);
    offset += local.length + name.length + data.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, end]);
}

const DOCUMENT_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t xml:space="preserve">';

/** A .docx-shaped zip whose word/document.xml inflates to `size` bytes. */
export const docxBomb = (size: number, claimSize?: number) =>
  zipOf([
    { name: '[Content_Types].xml', size: 60, head: '<?xml version="1.0"?><Types xmlns="x"/>' },
    { name: 'word/document.xml', size, claimSize, head: DOCUMENT_HEAD },
  ]);
