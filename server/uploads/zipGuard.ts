// Zip bombs stop here: a .docx or .xlsx is a zip, and the parsers behind them (mammoth, exceljs,
// both on JSZip) inflate every entry into memory without a limit. Before a parser sees the file,
// every entry is inflated once as a stream and its bytes are COUNTED — the central directory's
// sizes are only claims (yauzl also fails an entry whose real size differs from its claim) — and
// the walk stops at the first entry, byte or total over the budget.
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../contract/errors.js';

export interface ZipBudget {
  /** Inflated bytes of any one entry. */
  entryBytesMax: number;
  /** Inflated bytes of all entries together. */
  totalBytesMax: number;
  entriesMax: number;
}

/** Generous for real lesson plans and timetables (text XML, a few images), far below a bomb. */
export const OFFICE_ZIP_BUDGET: ZipBudget = {
  entryBytesMax: 48 * 1024 * 1024,
  totalBytesMax: 96 * 1024 * 1024,
  entriesMax: 2000,
};

const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;

export const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** Resolves when the zip is within budget; rejects with TOO_LARGE (over budget) or BAD_REQUEST (not a readable zip). */
export async function checkZip(bytes: Uint8Array, budget: ZipBudget = OFFICE_ZIP_BUDGET): Promise<{ entries: number; totalBytes: number }> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true });
  } catch {
    throw new AppError('BAD_REQUEST', 'the file is not a readable zip (.docx / .xlsx)');
  }
  if (zip.entryCount > budget.entriesMax) {
    zip.close();
    throw new AppError('TOO_LARGE', `the file holds ${zip.entryCount} parts (at most ${budget.entriesMax})`);
  }
  let total = 0;
  let entries = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      entries++;
      if (entry.fileName.endsWith('/')) continue; // a directory
      // The claims are checked first (cheap), the real inflated bytes while streaming (the truth).
      if (entry.uncompressedSize > budget.entryBytesMax) throw tooLarge(entry.fileName, budget);
      total += await inflatedBytes(zip, entry, budget.entryBytesMax, budget.totalBytesMax - total);
    }
  } finally {
    zip.close();
  }
  return { entries, totalBytes: total };
}

function tooLarge(name: string, budget: ZipBudget): AppError {
  return new AppError('TOO_LARGE', `a part of the file unpacks to more than ${mb(budget.entryBytesMax)} (${name.slice(0, 80)}); at most ${mb(budget.totalBytesMax)} in all`);
}

function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: Error) => (cleanup(), reject(new AppError('BAD_REQUEST', `the zip is damaged: ${err.message.slice(0, 120)}`)));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** Streams one entry and counts what comes out; destroys the stream the moment a limit is passed. */
async function inflatedBytes(zip: ZipFile, entry: Entry, entryMax: number, totalLeft: number): Promise<number> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (err) {
    throw new AppError('BAD_REQUEST', `a part of the zip cannot be read: ${(err as Error).message.slice(0, 120)}`);
  }
  let n = 0;
  try {
    for await (const chunk of stream) {
      n += (chunk as Buffer).length;
      if (n > entryMax) throw new AppError('TOO_LARGE', `a part of the file unpacks to more than ${mb(entryMax)} (${entry.fileName.slice(0, 80)})`);
      if (n > totalLeft) throw new AppError('TOO_LARGE', 'the file unpacks to more than its budget in all');
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof AppError) throw err;
    // yauzl: the real size differs from the claimed one, bad deflate data, …
    throw new AppError('BAD_REQUEST', `a part of the zip is damaged: ${(err as Error).message.slice(0, 120)}`);
  }
  return n;
}
