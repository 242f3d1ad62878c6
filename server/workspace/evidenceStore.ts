// Evidence files on disk, stored like recordings: under the data folder, at paths we build from
// ids (never from the uploaded name), relative paths in the database, so they survive restarts
// and a move of the data folder.
//
//   evidence/<activity>/<file>.<ext>        the file as uploaded (ext from its real type)
//   evidence/<activity>/<file>.thumb.jpg    an image's thumbnail (ffmpeg, ≤ 320 px)
//   evidence/<activity>/<file>.part         while it is being received and checked
//
// An upload is streamed to its .part file with a hard byte limit (the stream stops being written
// the moment it passes the limit, and the part is removed), its real type is decided from its
// bytes (magic numbers; a .docx / .xlsx is a zip holding the right parts), an image must decode
// (ffmpeg makes its thumbnail in a child process, off the event loop, with a pixel limit against
// decompression bombs); only then is it renamed into place.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import yauzl from 'yauzl';
import { AppError } from '../contract/errors.js';
import { EVIDENCE_TYPES, type EvidenceType } from '../contract/workspace/activities.js';
import { resolveIn } from '../contract/recordingPaths.js';

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

export const evidencePaths = {
  root: () => 'evidence',
  activityDir: (activityId: string) => `evidence/${safe(activityId)}`,
  part: (activityId: string, fileId: string) => `evidence/${safe(activityId)}/${safe(fileId)}.part`,
  file: (activityId: string, fileId: string, type: EvidenceType) => `evidence/${safe(activityId)}/${safe(fileId)}.${EVIDENCE_TYPES[type].ext}`,
  thumb: (activityId: string, fileId: string) => `evidence/${safe(activityId)}/${safe(fileId)}.thumb.jpg`,
};

export interface Received {
  sizeBytes: number;
  sha256: string;
  /** The first bytes, for the magic numbers. */
  head: Buffer;
}

const HEAD_BYTES = 64;

/**
 * Streams the request body into `file` (created new, owner-only), counting and hashing as it
 * goes. Past `maxBytes` it stops writing, removes the file and rejects TOO_LARGE; the rest of the
 * body is read and dropped (so the client gets its answer), and a sender that keeps going is
 * cut off after `drainMs`.
 */
export function receiveBody(req: IncomingMessage, file: string, maxBytes: number, drainMs = 15_000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLen = 0;
    let size = 0;
    let done = false;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const fail = (err: unknown) => {
      if (done) return;
      done = true;
      cleanup();
      out.destroy();
      if (!req.complete) {
        // Drop what is still coming; a client that does not stop is disconnected.
        req.resume();
        const cut = setTimeout(() => req.socket.destroy(), drainMs);
        cut.unref();
        req.once('end', () => clearTimeout(cut));
        req.once('close', () => clearTimeout(cut));
      }
      void rm(file, { force: true }).finally(() => reject(err));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(new AppError('TOO_LARGE', `a file may be at most ${Math.round(maxBytes / (1024 * 1024))} MB`));
      hash.update(chunk);
      if (headLen < HEAD_BYTES) {
        head.push(chunk.subarray(0, HEAD_BYTES - headLen));
        headLen += Math.min(chunk.length, HEAD_BYTES - headLen);
      }
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    };
    const onEnd = () => {
      if (done) return;
      cleanup();
      if (size === 0) return fail(new AppError('BAD_REQUEST', 'the file is empty'));
      out.end(() => {
        if (done) return;
        done = true;
        resolve({ sizeBytes: size, sha256: hash.digest('hex'), head: Buffer.concat(head) });
      });
    };
    const onError = (err: Error) => fail(new AppError('BAD_REQUEST', 'the upload was interrupted', { cause: err }));
    const onAborted = () => fail(new AppError('BAD_REQUEST', 'the upload was interrupted'));
    out.on('error', (err) => fail(err));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const ACCEPTED = 'JPEG, PNG, WebP, PDF, Word (.docx), Excel (.xlsx)';

const startsWith = (b: Buffer, bytes: number[], at = 0) => b.length >= at + bytes.length && bytes.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The type its first bytes say, before the deeper checks (null: none we take). */
export function magicType(head: Buffer): EvidenceType | 'zip' | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, ascii('%PDF-'))) return 'pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  return null;
}

/** The real type of a received file: magic bytes, and for a zip the parts a Word or Excel file has. */
export async function realType(file: string, head: Buffer): Promise<EvidenceType> {
  const magic = magicType(head);
  if (magic === null) throw new AppError('BAD_REQUEST', `this kind of file is not taken as evidence (accepted: ${ACCEPTED})`);
  if (magic !== 'zip') return magic;
  const names = await zipEntryNames(file, 5000);
  if (names.has('[Content_Types].xml') && names.has('word/document.xml')) return 'docx';
  if (names.has('[Content_Types].xml') && names.has('xl/workbook.xml')) return 'xlsx';
  throw new AppError('BAD_REQUEST', `a zip that is not a Word or Excel document is not taken as evidence (accepted: ${ACCEPTED})`);
}

/** The names in a zip's central directory (nothing is inflated). */
function zipEntryNames(file: string, max: number): Promise<Set<string>> {
  return new Promise((resolve, reject) => {
    const bad = (err?: unknown) => reject(new AppError('BAD_REQUEST', 'the document is damaged (not a readable .docx / .xlsx)', { cause: err }));
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return bad(err);
      if (zip.entryCount > max) {
        zip.close();
        return bad();
      }
      const names = new Set<string>();
      zip.on('entry', (e: yauzl.Entry) => {
        names.add(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', bad);
      zip.readEntry();
    });
  });
}

/** Images larger than this (pixels) are refused before they are decoded: a small PNG can inflate to gigabytes. */
export const THUMB_MAX_PIXELS = 60_000_000;
const THUMB_TIMEOUT_MS = 20_000;
const DEMUXER: Partial<Record<EvidenceType, string>> = { jpeg: 'jpeg_pipe', png: 'png_pipe', webp: 'webp_pipe' };

// Two ffmpeg runs at a time at most: an upload burst waits rather than taking every core from live lessons.
let running = 0;
const queue: (() => void)[] = [];
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/**
 * Makes a ≤ 320 px JPEG thumbnail of an image with ffmpeg (a child process, off the event loop),
 * the decoder named by the checked type — ffmpeg never guesses the format — and a pixel limit.
 * An image ffmpeg cannot decode is not an image: BAD_REQUEST.
 */
export function makeThumbnail(input: string, type: EvidenceType, output: string): Promise<void> {
  const demuxer = DEMUXER[type];
  if (!demuxer) return Promise.reject(new Error(`no thumbnail for ${type}`));
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-max_pixels', String(THUMB_MAX_PIXELS),
    '-f', demuxer, '-i', input,
    '-frames:v', '1',
    '-vf', "scale='min(320,iw)':'min(320,ih)':force_original_aspect_ratio=decrease",
    '-q:v', '5', '-f', 'mjpeg', '-y', output,
  ];
  return withSlot(
    () =>
      new Promise<void>((resolve, reject) => {
        execFile('ffmpeg', args, { timeout: THUMB_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (err, _stdout, stderr) => {
          if (!err) return resolve();
          const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
          if (missing) return reject(new AppError('UNAVAILABLE', 'ffmpeg is not installed: images cannot be checked', { cause: err }));
          reject(new AppError('BAD_REQUEST', 'the image could not be read (damaged, or too large in pixels)', { cause: new Error(String(stderr).slice(0, 500)) }));
        });
      }),
  );
}

/** Checks a received part and moves it (and its thumbnail) into place; removes everything on failure. */
export async function settleUpload(
  dataDir: string,
  o: { activityId: string; fileId: string; received: Received },
): Promise<{ type: EvidenceType; path: string; thumbPath: string | null }> {
  const part = resolveIn(dataDir, evidencePaths.part(o.activityId, o.fileId));
  const thumbRel = evidencePaths.thumb(o.activityId, o.fileId);
  const thumbTmp = `${resolveIn(dataDir, thumbRel)}.part`;
  try {
    const type = await realType(part, o.received.head);
    const rel = evidencePaths.file(o.activityId, o.fileId, type);
    let thumbPath: string | null = null;
    if (EVIDENCE_TYPES[type].image) {
      await makeThumbnail(part, type, thumbTmp);
      await rename(thumbTmp, resolveIn(dataDir, thumbRel));
      thumbPath = thumbRel;
    }
    await rename(part, resolveIn(dataDir, rel));
    return { type, path: rel, thumbPath };
  } catch (err) {
    await Promise.all([rm(part, { force: true }), rm(thumbTmp, { force: true }), rm(resolveIn(dataDir, thumbRel), { force: true })]);
    throw err;
  }
}

/** The folder for an activity's files, made on first upload. */
export async function ensureActivityDir(dataDir: string, activityId: string): Promise<void> {
  await mkdir(resolveIn(dataDir, evidencePaths.activityDir(activityId)), { recursive: true, mode: 0o700 });
}

export async function removeFiles(dataDir: string, rels: readonly (string | null)[]): Promise<void> {
  await Promise.all(rels.filter((r): r is string => !!r).map((r) => rm(resolveIn(dataDir, r), { force: true })));
}

/** Removes an activity's whole folder (after its rows are gone). */
export async function removeActivityFiles(dataDir: string, activityId: string): Promise<void> {
  await rm(resolveIn(dataDir, evidencePaths.activityDir(activityId)), { recursive: true, force: true });
}

/** Whether a stored file is there (a folder restored without its files answers NOT_FOUND, not a crash). */
export async function fileExists(abs: string): Promise<boolean> {
  try {
    await (await open(abs, 'r')).close();
    return true;
  } catch {
    return false;
  }
}

/** Free bytes where evidence is stored (the data folder's file system). */
export async function freeBytes(dataDir: string): Promise<number> {
  const s = await statfs(dataDir);
  return Number(s.bavail) * Number(s.bsize);
}

/**
 * Removes upload parts left by a process that died mid-upload (older than `olderThanMs`; an
 * upload in progress on another process sharing the folder is seconds old).
 */
export async function sweepStaleParts(dataDir: string, olderThanMs = 3600_000, nowMs = Date.now()): Promise<number> {
  const root = resolveIn(dataDir, evidencePaths.root());
  let removed = 0;
  const dirs = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const d of dirs) {
    if (!d.isDirectory()) continue;
    const dir = `${root}/${d.name}`;
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (!f.endsWith('.part')) continue;
      const st = await stat(`${dir}/${f}`).catch(() => null);
      if (st && nowMs - st.mtimeMs > olderThanMs) {
        await rm(`${dir}/${f}`, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
