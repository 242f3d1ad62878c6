// Recorded lessons without a live lesson: WebM segments made by ffmpeg (VP8 test pattern,
// Opus tone) in capture's folder layout, and the rows capture would write for them, closed
// one by one as a recorder would. For the processing tests and the pipeline benchmark.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../server/db/db.js';
import { speechPcm, writeWav } from './speech.js';

const run = promisify(execFile);

const wavs = new Map<string, string>();
function speechWav(voice: 'cmn' | 'en-us'): string {
  let file = wavs.get(voice);
  if (!file) {
    // One cached file per voice, reused by every test run (espeak-ng output is deterministic).
    file = path.join(os.tmpdir(), 'tongbu-speech-cache', `${voice}.wav`);
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeWav(`${file}.${process.pid}`, speechPcm(voice));
      renameSync(`${file}.${process.pid}`, file);
    }
    wavs.set(voice, file);
  }
  return file;
}

export interface FixtureTrack {
  id: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'mic' | 'screen';
  owner: 'teacher' | 'classroom';
  classroomId?: string | null;
  label: string;
  startMs?: number;
}

/** One WebM segment: VP8 test pattern (video) or an Opus tone with pauses (audio). */
export async function makeSegment(file: string, kind: 'audio' | 'video', durS: number, opts: { pattern?: string; voice?: 'cmn' | 'en-us'; size?: string; /** frames per second actually sent */ rate?: number } = {}): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const args =
    kind === 'video'
      ? ['-f', 'lavfi', '-i', `${opts.pattern ?? 'testsrc'}=size=${opts.size ?? '640x360'}:rate=${opts.rate ? 32 : 15}`, '-t', String(durS),
         // `rate`: a browser whose frame rate fell (CPU-limited) — the stream still says 32 fps,
         // so each frame's duration in the file is 1/32 s while the next comes 1/rate s later.
         ...(opts.rate ? ['-vf', `select='not(mod(n\\,${Math.round(32 / opts.rate)}))'`, '-fps_mode', 'passthrough'] : []),
         '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '30']
      : // synthesised speech (espeak-ng) for 2 s of every 3 s, so the voice-activity detector has turns to find
        ['-stream_loop', '-1', '-i', speechWav(opts.voice ?? 'cmn'), '-t', String(durS),
         '-af', "volume='if(lt(mod(t,3),2),1,0)':eval=frame", '-ar', '48000', '-ac', '2', '-c:a', 'libopus', '-b:a', '32k'];
  await run('ffmpeg', ['-v', 'error', '-y', ...args, file]);
}

export interface FixtureRecording {
  lessonId: string;
  clockZero: Date;
  tracks: FixtureTrack[];
  segPath(trackId: string, seq: number): string;
  /** Writes segment `seq` of a track (segMs long) and records it as closed. */
  closeSegment(trackId: string, seq: number, opts?: { corrupt?: 'truncate' | 'garbage'; rate?: number }): Promise<void>;
  /** The recording stops `lengthMs` after the clock's zero. */
  stop(lengthMs: number): Promise<void>;
  event(atMs: number, type: string, payload?: object): Promise<void>;
}

export async function fixtureRecording(
  db: Queryable,
  dataDir: string,
  opts: { lessonId: string; tracks: FixtureTrack[]; segMs: number; clockZero?: Date },
): Promise<FixtureRecording> {
  const clockZero = opts.clockZero ?? new Date(Date.now() - 3600_000);
  await db.query(`insert into recordings (lesson_id, state, clock_zero) values ($1, 'recording', $2)`, [opts.lessonId, clockZero.toISOString()]);
  for (const t of opts.tracks) {
    await db.query(
      `insert into recording_tracks (id, lesson_id, kind, source, owner, classroom_id, label, codec, start_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [t.id, opts.lessonId, t.kind, t.source, t.owner, t.classroomId ?? null, t.label, t.kind === 'video' ? 'VP8' : 'opus', t.startMs ?? 0],
    );
  }
  const segPath = (trackId: string, seq: number) =>
    path.join(dataDir, 'recordings', opts.lessonId, 'tracks', trackId, `seg-${String(seq).padStart(5, '0')}.webm`);
  const byId = new Map(opts.tracks.map((t) => [t.id, t]));
  return {
    lessonId: opts.lessonId,
    clockZero,
    tracks: opts.tracks,
    segPath,
    async closeSegment(trackId, seq, o = {}) {
      const t = byId.get(trackId)!;
      const start = (t.startMs ?? 0) + (seq - 1) * opts.segMs;
      const file = segPath(trackId, seq);
      await makeSegment(file, t.kind, opts.segMs / 1000, {
        pattern: t.source === 'screen' ? 'smptebars' : t.owner === 'teacher' ? 'testsrc' : 'testsrc2',
        voice: t.owner === 'teacher' ? 'cmn' : 'en-us',
        rate: o.rate,
      });
      if (o.corrupt === 'truncate') await run('truncate', ['-s', '12000', file]);
      if (o.corrupt === 'garbage') await run('dd', ['if=/dev/urandom', `of=${file}`, 'bs=4096', 'count=8', 'status=none']);
      await db.query(
        `insert into recording_segments (track_id, seq, path, start_ms, end_ms, bytes, state) values ($1, $2, $3, $4, $5, 0, 'closed')`,
        [trackId, seq, file, start, start + opts.segMs],
      );
    },
    async stop(lengthMs) {
      await db.query(`update recordings set state = 'stopped', ended_at = $2 where lesson_id = $1`, [opts.lessonId, new Date(clockZero.getTime() + lengthMs).toISOString()]);
      await db.query('update recording_tracks set end_ms = $2 where lesson_id = $1 and end_ms is null', [opts.lessonId, lengthMs]);
    },
    async event(atMs, type, payload = {}) {
      await db.query('insert into lesson_events (lesson_id, at, type, payload) values ($1, $2, $3, $4::jsonb)', [
        opts.lessonId,
        new Date(clockZero.getTime() + atMs).toISOString(),
        type,
        JSON.stringify(payload),
      ]);
    },
  };
}

export const newId = () => randomUUID();
