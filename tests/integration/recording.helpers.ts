// Shared by the recording capture tests: reading what the recorder stored and measuring
// the files with Debian's ffprobe/ffmpeg.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../../server/db/db.js';

const run = promisify(execFile);

export interface TrackRow {
  id: string;
  kind: 'audio' | 'video';
  source: string;
  owner: string;
  classroom_id: string | null;
  user_id: string | null;
  codec: string;
  start_ms: number;
  end_ms: number | null;
}

export interface SegmentRow {
  track_id: string;
  seq: number;
  path: string;
  start_ms: number;
  end_ms: number | null;
  bytes: number | null;
  state: string;
}

export async function tracksOf(db: Db, lessonId: string): Promise<TrackRow[]> {
  const rows = await db.query('select * from recording_tracks where lesson_id = $1 order by created_at', [lessonId]);
  return rows.map((r) => ({ ...(r as unknown as TrackRow), start_ms: Number(r.start_ms), end_ms: r.end_ms == null ? null : Number(r.end_ms) }));
}

export async function segmentsOf(db: Db, trackId: string): Promise<SegmentRow[]> {
  const rows = await db.query('select * from recording_segments where track_id = $1 order by seq', [trackId]);
  return rows.map((r) => ({
    ...(r as unknown as SegmentRow),
    seq: Number(r.seq),
    start_ms: Number(r.start_ms),
    end_ms: r.end_ms == null ? null : Number(r.end_ms),
    bytes: r.bytes == null ? null : Number(r.bytes),
  }));
}

/** Lesson-clock ms up to which ffmpeg has finished writing a track (its last closed segment's end; 0 before one). */
export async function recordedTo(db: Db, trackId: string): Promise<number> {
  return Math.max(0, ...(await segmentsOf(db, trackId)).filter((s) => s.state === 'closed').map((s) => s.end_ms ?? 0));
}

/** At least `minTracks` tracks, and every one of them has `closed` closed segments or more (a waitFor condition). */
export async function everyTrackClosed(db: Db, lessonId: string, minTracks: number, closed = 1): Promise<boolean> {
  const tracks = await tracksOf(db, lessonId);
  if (tracks.length < minTracks) return false;
  return [...(await closedCounts(db, tracks.map((t) => t.id))).values()].every((n) => n >= closed);
}

/** Closed segments of each track, by track id. */
export async function closedCounts(db: Db, trackIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of trackIds) out.set(id, (await segmentsOf(db, id)).filter((s) => s.state === 'closed').length);
  return out;
}

export async function recordingOf(db: Db, lessonId: string) {
  const rows = await db.query<{ state: string; clock_zero: Date | string; status_message: string | null; visibility: string; ended_at: unknown }>(
    'select state, clock_zero, status_message, visibility, ended_at from recordings where lesson_id = $1',
    [lessonId],
  );
  const r = rows[0];
  return r ? { ...r, clockZeroMs: new Date(r.clock_zero).getTime() } : null;
}

export async function gapsOf(db: Db, lessonId: string) {
  return (await db.query('select * from recording_gaps where lesson_id = $1 order by id', [lessonId])).map((r) => ({
    trackId: r.track_id as string | null,
    fromMs: Number(r.from_ms),
    toMs: Number(r.to_ms),
    reason: String(r.reason),
  }));
}

export async function probe(file: string): Promise<{ codec: string; duration: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { streams: { codec_name: string }[]; format: { duration?: string } };
  return { codec: j.streams[0]?.codec_name ?? '', duration: Number(j.format.duration ?? NaN) };
}

/** pts (s from the file start) of every packet in a media file. */
export async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  return stdout.split('\n').filter((l) => l.trim()).map(Number);
}

export function abs(dataDir: string, rel: string): string {
  return path.isAbsolute(rel) ? rel : path.join(dataDir, rel);
}

/** Decoded mono 8 kHz samples of an audio file (a sample is 0.125 ms). */
async function pcm8k(file: string): Promise<Float32Array> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-ac', '1', '-ar', '8000', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  const buf = Buffer.from(stdout as unknown as Buffer);
  return new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
}

/**
 * Lesson-clock times where a tone begins after at least 150 ms without one, in a track's
 * segments placed at their start_ms (so a tone at a segment boundary counts once).
 */
export async function toneOnsetsOnClock(segments: { file: string; startMs: number }[]): Promise<number[]> {
  const out: number[] = [];
  let lastLoud = -Infinity;
  for (const seg of [...segments].sort((a, b) => a.startMs - b.startMs)) {
    const x = await pcm8k(seg.file);
    for (let i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) <= 0.1) continue;
      const at = seg.startMs + i / 8;
      if (at - lastLoud > 150) out.push(at);
      lastLoud = at;
    }
  }
  return out;
}

/** Writes a WAV: silence with 880 Hz tone bursts starting at `tonesAt` seconds, 300 ms each. */
export async function toneWav(file: string, seconds: number, tonesAt: number[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', toneLavfi(tonesAt, seconds), '-ac', '1', file]);
}

/** An aevalsrc expression: 880 Hz bursts of 300 ms at the given source times (s). */
export function toneLavfi(tonesAt: number[], seconds?: number): string {
  const gate = tonesAt.map((t) => `between(t\\,${t}\\,${t + 0.3})`).join('+');
  return `aevalsrc=exprs=0.5*sin(2*PI*880*t)*(${gate}):s=48000${seconds ? `:d=${seconds}` : ''}`;
}

export interface TrackCoverage {
  trackId: string;
  label: string;
  kind: string;
  startMs: number;
  endMs: number | null;
  /** Recorded (closed segments) plus marked gaps, as a share of the track's span up to the lesson end. */
  coverage: number;
  gapMs: number;
}

/**
 * How much of the lesson every track holds: closed segments plus marked gaps, from the track's
 * start to the lesson's end (on the lesson clock). An unmarked hole (a recorder that silently
 * stopped) lowers it; a marked gap does not.
 */
export async function coverageOf(db: Db, lessonId: string, lessonEndMs: number): Promise<TrackCoverage[]> {
  const gaps = await gapsOf(db, lessonId);
  const out: TrackCoverage[] = [];
  for (const t of await tracksOf(db, lessonId)) {
    const segs = (await segmentsOf(db, t.id)).filter((s) => s.state === 'closed' && s.end_ms !== null);
    const recorded = segs.reduce((n, s) => n + (s.end_ms! - s.start_ms), 0);
    const gapMs = gaps.filter((g) => g.trackId === t.id).reduce((n, g) => n + (g.toMs - g.fromMs), 0);
    const span = Math.max(1, lessonEndMs - t.start_ms);
    out.push({ trackId: t.id, label: `${t.owner}:${t.source}`, kind: t.kind, startMs: t.start_ms, endMs: t.end_ms, coverage: (recorded + gapMs) / span, gapMs });
  }
  return out;
}

/**
 * A second web process on the same database and data folder, as after a restart (the caller has
 * closed the first): the same media ports and 2-s segments, no client files.
 */
export async function secondWebServer(srv: { db: Db; portsEnv: Record<string, string> }, dataDir: string) {
  const [{ startWebServer }, { loadConfig }] = await Promise.all([import('../../server/app.js'), import('../../server/config.js')]);
  return startWebServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      TONGBU_DATA_DIR: dataDir,
      TONGBU_ANNOUNCED_IP: '127.0.0.1',
      TONGBU_MEDIA_WORKERS: '1',
      ...srv.portsEnv,
      TONGBU_RECORDING_SEGMENT_S: '2',
    }),
    srv.db,
    { clientDir: '/nonexistent' },
  );
}
