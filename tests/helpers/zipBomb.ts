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
  /** What the entry starts with (e.g. an XML prolog); then `fill` repeated (spaces by default), then `tail`. */
  head?: string;
  fill?: string;
  tail?: string;
}

async function deflated(head: Buffer, size: number, fill = ' ', tail = Buffer.alloc(0)): Promise<{ data: Buffer; crc: number; size: number }> {
  const unit = Buffer.from(fill, 'utf8');
  const chunk = Buffer.alloc(unit.length * Math.ceil((1024 * 1024) / unit.length), unit);
  const z = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  z.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((resolve, reject) => (z.on('end', resolve), z.on('error', reject)));
  let crc = crc32(head);
  z.write(head);
  // Whole fill units only, so the tail closes well-formed XML.
  const body = Math.max(0, Math.floor((size - head.length - tail.length) / unit.length)) * unit.length;
  for (let left = body; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(part, crc);
    if (!z.write(part)) await new Promise((r) => z.once('drain', r));
  }
  crc = crc32(tail, crc);
  z.end(tail);
  await done;
  return { data: Buffer.concat(out), crc, size: head.length + body + tail.length };
}

export async function zipOf(entries: BombEntry[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const head = Buffer.from(e.head ?? '', 'utf8');
    const tail = Buffer.from(e.tail ?? '', 'utf8');
    const { data, crc, size } = await deflated(head, e.size, e.fill, tail);
    const claim = e.claimSize ?? size;
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

/** A well-formed .docx whose word/document.xml is `size` bytes of empty paragraphs: within any byte budget one
 *  can set, but a parser that builds a tree of it needs far more memory than the file's size. */
export const docxOfParagraphs = (size: number) =>
  zipOf([
    {
      name: '[Content_Types].xml',
      size: 0,
      head: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    },
    {
      name: '_rels/.rels',
      size: 0,
      head: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    },
    { name: 'word/document.xml', size, head: DOCUMENT_HEAD.replace('<w:p><w:r><w:t xml:space="preserve">', ''), fill: '<w:p><w:r><w:t>x</w:t></w:r></w:p>', tail: '</w:body></w:document>' },
  ]);

/** A .docx-shaped zip whose word/document.xml inflates to `size` bytes. */
export const docxBomb = (size: number, claimSize?: number) =>
  zipOf([
    { name: '[Content_Types].xml', size: 60, head: '<?xml version="1.0"?><Types xmlns="x"/>' },
    { name: 'word/document.xml', size, claimSize, head: DOCUMENT_HEAD },
  ]);
