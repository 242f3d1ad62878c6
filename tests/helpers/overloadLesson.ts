// A recorded lesson under CPU overload, shared by the CI test (tests/integration/recording-
// overload.test.ts, ~3 min) and the benchmark (tests/bench/recording-overload.ts, 45 min), so
// both measure the same thing: RTP sources (teacher camera + mic, two classrooms camera + mic),
// stress-ng on every core (bounded by --timeout), one classroom's network cut and reconnected
// several times, the live lesson probed all along, processing in its own worker process on a
// real Redis, and every track's coverage read back from the database.
// Also the pieces the browser soak benchmark (tests/bench/recording-soak.ts) shares.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../server/db/db.js';
import { RecordingProcessing } from '../../server/recordings/processing.js';
import type { RecordingProgress } from '../../server/contract/recordings.js';
import { createQueues, type Queues } from '../../server/jobs/queues.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/services/redisServer.js';
import { startLiveServer, type LiveTestServer } from './liveServer.js';
import { startRtpSource, type RtpSource } from './rtpSource.js';
import { recorderRuns } from '../../server/recordings/captureMetrics.js';
import { recPaths } from '../../server/contract/recordingPaths.js';
import { joinedPlayedS } from './joinedCoverage.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

// ---- the pipeline and the burner --------------------------------------------------------

export interface Pipeline {
  redis: EmbeddedRedis;
  queues: Queues;
  prefix: string;
  worker: ChildProcess;
  close(): Promise<void>;
}

/** Redis, the web side's queues and one worker process (server/main.ts --workers does the same). */
export async function startPipeline(dataDir: string): Promise<Pipeline> {
  const redis = await startEmbeddedRedis(dataDir);
  const prefix = `overload-${randomUUID().slice(0, 8)}`;
  const queues = createQueues(redis.url, prefix);
  // pdeathsig: the worker process dies with its parent, whatever ends it.
  const worker = spawn('setpriv', ['--pdeathsig', 'SIGKILL', process.execPath, '--import', 'tsx', path.join(ROOT, 'tests/helpers/recordingWorkerProcess.ts')], {
    env: { ...process.env, REDIS_URL: redis.url, TONGBU_DATA_DIR: dataDir, TONGBU_QUEUE_PREFIX: prefix, TONGBU_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    worker.once('exit', (code) => reject(new Error(`worker process exited ${code}`)));
  });
  return {
    redis,
    queues,
    prefix,
    worker,
    async close() {
      worker.kill('SIGTERM');
      await Promise.race([new Promise((r) => worker.once('exit', r)), sleep(15_000)]);
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await queues.close();
      await redis.stop();
    },
  };
}

export interface Burner {
  cores: number;
  /** The bound given to stress-ng (--timeout). */
  seconds: number;
  stop(): void;
  /** 1-minute load average samples taken while it ran. */
  loads: number[];
}

/** stress-ng on every core, bounded by --timeout so nothing outlives the run that started it. */
export function startBurner(seconds: number): Burner {
  const cores = os.availableParallelism();
  const bound = Math.ceil(seconds);
  // Its own session (setsid), like other work on a shared machine: with autogroup scheduling
  // it then competes with the product's session as a whole, not with each of its processes.
  const loads: number[] = [];
  // stress-ng's --timeout 0 would mean "forever": no burner at all then.
  if (bound <= 0) return { cores, seconds: 0, loads, stop: () => undefined };
  const p = spawn('setsid', ['stress-ng', '--cpu', String(cores), '--cpu-method', 'matrixprod', '--timeout', `${bound}s`, '--quiet'], { stdio: 'ignore' });
  const t = setInterval(() => loads.push(os.loadavg()[0]), 5_000);
  p.once('exit', () => clearInterval(t));
  return {
    cores,
    seconds: bound,
    loads,
    stop() {
      clearInterval(t);
      // setsid execs stress-ng (same pid); its workers follow their parent's SIGTERM.
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    },
  };
}

/** Checks `ok` every `everyMs` (a lesson's progress is a few queries: not every 10 ms) until true or the timeout. */
export async function poll(ok: () => Promise<boolean>, timeoutMs: number, what: string, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** How long the teacher's recorders may take to get ready in the lobby (a saturated machine). */
const LOBBY_MAX_MS = 60_000;

// ---- coverage ---------------------------------------------------------------------------

export interface TrackFigures {
  trackId: string;
  label: string;
  owner: string;
  classroomId: string | null;
  kind: 'audio' | 'video';
  /** The track's span on the lesson clock: its first recorded instant → the lesson's end (ms). */
  spanFromMs: number;
  spanToMs: number;
  /** Marked gaps (recording_gaps) inside the span, ms, and their reasons. */
  gapMs: number;
  gapReasons: string[];
  /** Seconds research playback really has: the joined file's (packets, holes beyond HOLD_CAP_S missing), else the transcodes'. */
  playedS: number;
  playedFrom: 'joined file' | 'transcodes';
  /** Seconds the transcoded segments (HLS) play when the figures were taken, and that over the span. */
  hlsPlayedS: number;
  hlsCoverage: number;
  /** Segments transcoded (done or failed) when the figures were taken. */
  transcoded: number;
  /** playedS over the span minus its marked gaps: what was recorded of what could be. */
  coverage: number;
  /** playedS over the whole lesson (clock zero → end) minus the marked gaps: a late start counts against it. */
  lessonCoverage: number;
  segments: number;
  failed: number;
}

export interface RecordingFigures {
  audio_coverage: number;
  video_coverage: number;
  /** The same from the lesson's clock zero (a recorder that started late counts against it). */
  audio_lesson_coverage: number;
  video_lesson_coverage: number;
  failed_segments: number;
  segments: number;
  lesson_recorded_s: number;
  gaps: { trackId: string | null; fromMs: number; toMs: number; reason: string }[];
  tracks: TrackFigures[];
}

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * Every track's coverage, from the database after processing: the seconds its transcoded
 * segments play, over its span (first recorded instant → lesson end) minus the gaps marked in
 * recording_gaps. A failed or missing segment, or an unmarked hole (a recorder that stopped
 * silently), lowers it; a marked gap does not. lessonCoverage measures from clock zero instead.
 */
/**
 * The recording's figures. Coverage is what research playback plays: the track's joined WebM
 * (trackFile), or, where that is missing, its transcoded segments' durations. The transcodes'
 * own coverage (HLS, which may still be behind when this runs) is `hlsPlayedS` / `hlsCoverage`.
 */
export async function figures(db: Db, lessonId: string, dataDir: string): Promise<RecordingFigures> {
  const [rec] = await db.query<{ clock_zero: unknown; ended_at: unknown; lesson_ended_at: unknown }>(
    'select r.clock_zero, r.ended_at, l.ended_at as lesson_ended_at from recordings r join lessons l on l.id = r.lesson_id where r.lesson_id = $1',
    [lessonId],
  );
  if (!rec?.ended_at) throw new Error('recording has not ended');
  // The lesson's end (下课 pressed), as processing's lengthMs takes it; the recording's own
  // ended_at comes later, once its recorders have closed their last segments.
  const ends = [rec.ended_at, rec.lesson_ended_at].filter((x) => x != null).map((x) => Date.parse(iso(x)));
  const lessonEndMs = Math.min(...ends) - Date.parse(iso(rec.clock_zero));
  const gaps = (await db.query('select track_id, from_ms, to_ms, reason from recording_gaps where lesson_id = $1 order by from_ms', [lessonId])).map((g) => ({
    trackId: (g.track_id as string | null) ?? null,
    fromMs: Number(g.from_ms),
    toMs: Number(g.to_ms),
    reason: String(g.reason),
  }));
  const tracks = await db.query<{ id: string; kind: 'audio' | 'video'; label: string; owner: string; classroom_id: string | null; start_ms: unknown }>(
    'select id, kind, label, owner, classroom_id, start_ms from recording_tracks where lesson_id = $1 order by label, kind',
    [lessonId],
  );
  const out: TrackFigures[] = [];
  for (const t of tracks) {
    const segs = await db.query<{ seq: number }>('select seq from recording_segments where track_id = $1', [t.id]);
    const outs = await db.query<{ kind: string; state: string; meta: unknown }>(`select kind, state, meta from recording_outputs where lesson_id = $1 and kind in ('track', 'trackFile') and track_id = $2`, [lessonId, t.id]);
    let hlsPlayedS = 0;
    let failed = 0;
    let transcoded = 0;
    for (const o of outs.filter((x) => x.kind === 'track')) {
      const meta = (typeof o.meta === 'string' ? JSON.parse(o.meta) : o.meta) as { durationS?: number } | null;
      if (o.state === 'done') hlsPlayedS += meta?.durationS ?? 0;
      if (o.state === 'failed') failed++;
      if (o.state === 'done' || o.state === 'failed') transcoded++;
    }
    const joined = outs.find((x) => x.kind === 'trackFile');
    if (joined?.state === 'failed') failed++;
    const playedS = joined?.state === 'done' ? await joinedPlayedS(path.join(dataDir, recPaths.trackFile(lessonId, t.id)), t.kind) : hlsPlayedS;
    const from = Number(t.start_ms);
    // Gaps of this track, or of the whole recording (a pause), inside the span.
    const mine = gaps.filter((g) => g.trackId === t.id || g.trackId === null);
    const gapMs = mine.reduce((n, g) => n + overlap(g.fromMs, g.toMs, from, lessonEndMs), 0);
    const lessonGapMs = mine.reduce((n, g) => n + overlap(g.fromMs, g.toMs, 0, lessonEndMs), 0);
    const share = (played: number, ms: number) => round(Math.min(1, (played * 1000) / Math.max(1, ms)), 4);
    out.push({
      trackId: t.id,
      label: t.label,
      owner: t.owner,
      classroomId: t.classroom_id,
      kind: t.kind,
      spanFromMs: from,
      spanToMs: lessonEndMs,
      gapMs,
      gapReasons: [...new Set(mine.map((g) => g.reason))],
      playedS: round(playedS, 2),
      coverage: share(playedS, lessonEndMs - from - gapMs),
      lessonCoverage: share(playedS, lessonEndMs - lessonGapMs),
      playedFrom: joined?.state === 'done' ? 'joined file' : 'transcodes',
      hlsPlayedS: round(hlsPlayedS, 2),
      hlsCoverage: share(hlsPlayedS, lessonEndMs - from - gapMs),
      segments: segs.length,
      transcoded,
      failed,
    });
  }
  const worst = (k: 'audio' | 'video', f: 'coverage' | 'lessonCoverage') => round(Math.min(1, ...out.filter((t) => t.kind === k).map((t) => t[f])), 4);
  return {
    audio_coverage: worst('audio', 'coverage'),
    video_coverage: worst('video', 'coverage'),
    audio_lesson_coverage: worst('audio', 'lessonCoverage'),
    video_lesson_coverage: worst('video', 'lessonCoverage'),
    failed_segments: out.reduce((n, t) => n + t.failed, 0),
    segments: out.reduce((n, t) => n + t.segments, 0),
    lesson_recorded_s: round(lessonEndMs / 1000, 1),
    gaps,
    tracks: out,
  };
}

// ---- the lesson -------------------------------------------------------------------------

export interface NetworkCut {
  /** Seconds after 开始上课 at which the classroom's network goes away. */
  atS: number;
  /** For how long nothing arrives from it before it reconnects. */
  forS: number;
}

export interface OverloadLessonOptions {
  lessonS: number;
  /** Cuts of one classroom's network (the second classroom, 石桥): in order, not overlapping. */
  cuts: NetworkCut[];
  /** How long to wait for research playback after the end (the run reports, not throws, if it is late). */
  playbackWaitS: number;
  /** Or wait at most until this wall-clock instant (ms), whichever comes first: a test's own time limit. */
  playbackBy?: number;
  /** Then for the composite (0: do not wait). */
  compositeWaitS?: number;
  /** Keep stress-ng on until playback is ready (benchmark) or stop it when the lesson ends (default). */
  burnThroughProcessing?: boolean;
  log?: (msg: string) => void;
  /** No stress-ng (a baseline run on an idle machine). */
  noBurner?: boolean;
  /** Called with the database before everything is torn down (for a closer look at a run). */
  inspect?: (db: Db, lessonId: string) => Promise<void>;
}

export interface Probe {
  atS: number;
  ms: number | null;
  error?: string;
}

export interface OverloadLessonResult {
  lessonId: string;
  figures: RecordingFigures;
  playbackReady: boolean;
  /** Lesson end → research playback ready (the wait, if it did not get ready). */
  playbackReadyS: number;
  compositeReadyS: number | null;
  /** Lesson end → every segment transcoded (HLS complete), or null if not within the wait. */
  transcodesDoneS: number | null;
  progress: RecordingProgress | null;
  /** Cuts on the lesson clock: [from, to] ms between the source going silent and its new producer. */
  cutWindowsMs: [number, number][];
  cutClassroomId: string;
  /** Signalling round trips of a classroom that was never cut, every few seconds. */
  probes: Probe[];
  /** The teacher's 下课 (lesson:end) → its answer, ms. */
  endAckMs: number;
  /** Socket disconnects of clients that were never cut (the server being busy must cause none). */
  disconnects: number;
  /** How late each source's track started after its first RTP packet reached the SFU (ms, on the lesson clock). */
  startLateMs: { label: string; ms: number }[];
  load: { cores: number; stressNgBoundS: number; avg: number | null; max: number | null; atStart: number };
}

/**
 * Runs the whole lesson: server (web role in-process: mediasoup, recorders, PGlite), the
 * pipeline, stress-ng, sources, cuts, probes; then waits for processing and reads the figures.
 * Everything it starts is stopped before it returns or throws.
 */
export async function runOverloadLesson(o: OverloadLessonOptions): Promise<OverloadLessonResult> {
  const log = o.log ?? (() => undefined);
  const loadAtStart = os.loadavg()[0];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-overload-'));
  const pipe = await startPipeline(dataDir);
  let srv: LiveTestServer | undefined;
  let reader: RecordingProcessing | undefined;
  let burner: Burner | undefined;
  let probing: Promise<void> | undefined;
  let stopProbes = false;
  const sources: RtpSource[] = [];
  const maxSeconds = o.lessonS + 120; // every ffmpeg source stops by itself after this
  try {
    srv = await startLiveServer({
      queues: pipe.queues,
      env: { TONGBU_DATA_DIR: dataDir },
    });
    const server = srv;
    reader = new RecordingProcessing({ db: srv.db, queues: pipe.queues.recording, connection: pipe.queues.connection, prefix: pipe.prefix, dataDir });
    const { qingshan, shiqiao } = srv.classrooms;
    const lesson = await srv.createLesson([qingshan, shiqiao]);
    // Bounded: the lesson, the cuts' reconnections and processing's first minutes at most.
    burner = startBurner(o.noBurner ? 0 : o.lessonS + LOBBY_MAX_MS / 1000 + (o.burnThroughProcessing ? 120 : 30));
    log(`stress-ng on ${burner.cores} cores for at most ${burner.seconds} s; lesson of ${o.lessonS} s, ${o.cuts.length} network cuts`);

    const classroomVideo = { size: '640x360', fps: 20, bitrate: '500k', gop: 40 };
    // A client that cannot connect or join in time tries again, as the browser's reconnect does
    // (on a saturated machine a socket can take longer than the helper's 5 s to connect).
    const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if (attempt >= 5) throw err;
          log(`${what}: attempt ${attempt} failed (${err instanceof Error ? err.message : String(err)}); again`);
        }
      }
    };
    const classroom = (classroomId: string) =>
      retrying(`classroom ${classroomId} joins`, () => startRtpSource(server, { lessonId: lesson.id, as: { classroomId }, video: classroomVideo, audio: true, maxSeconds, waitForMedia: true }));
    // The teacher publishes before 开始上课, as in class; the classrooms join after.
    const teacher = await retrying('the teacher joins', () =>
      startRtpSource(server, { lessonId: lesson.id, as: 'teacher', video: { size: '1280x720', fps: 20, bitrate: '1200k', gop: 40 }, audio: true, maxSeconds }),
    );
    sources.push(teacher);
    // A lobby: the teacher's recorders get ready (armed) before 开始上课, so the teacher's tracks
    // hold the lesson from its first instant. Bounded: a recorder that cannot get ready within a
    // minute on a saturated machine is itself a failure.
    const lobbyFrom = Date.now();
    const armed = async () => (await recorderRuns.get()).values.find((v) => v.labels.state === 'armed')?.value ?? 0;
    while ((await armed()) < 2) {
      if (Date.now() - lobbyFrom > LOBBY_MAX_MS) throw new Error(`the teacher's recorders were not ready ${LOBBY_MAX_MS / 1000} s after publishing`);
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`teacher's recorders armed ${((Date.now() - lobbyFrom) / 1000).toFixed(1)} s after publishing`);
    await teacher.client.ok('lesson:start', {}, 30_000);
    const rec = await waitForRecording(srv.db, lesson.id);
    const clock = (at: number) => at - rec.clockZeroMs;
    const steady = await classroom(qingshan);
    sources.push(steady);
    let cut = await classroom(shiqiao);
    sources.push(cut);
    const t0 = Date.now();

    // Clients never cut must stay connected, and signalling must answer all along.
    let disconnects = 0;
    for (const c of [teacher.client, steady.client]) c.socket.on('disconnect', () => disconnects++);
    const probes: Probe[] = [];
    probing = (async () => {
      while (!stopProbes) {
        const at = Date.now();
        try {
          await steady.client.ok('hand:raise', {}, 20_000);
          await steady.client.ok('hand:lower', {}, 20_000);
          probes.push({ atS: round((at - t0) / 1000, 1), ms: Date.now() - at });
        } catch (err) {
          probes.push({ atS: round((at - t0) / 1000, 1), ms: null, error: err instanceof Error ? err.message : String(err) });
        }
        await sleep(5_000);
      }
    })();

    // A network cut: nothing more arrives from the classroom (its senders stop, as packets do
    // when a link drops), then the projector comes back on a new socket and publishes anew,
    // replacing its old peer, as the client's reconnect does; the old senders are gone.
    const cutWindowsMs: [number, number][] = [];
    let lastLog = Date.now();
    const until = async (s: number) => {
      while (Date.now() - t0 < s * 1000) {
        await sleep(Math.min(1_000, Math.max(0, s * 1000 - (Date.now() - t0))));
        if (Date.now() - lastLog >= 60_000) {
          lastLog = Date.now();
          const p = await reader!.progress(lesson.id);
          const recent = probes.filter((x) => x.atS * 1000 >= Date.now() - t0 - 60_000);
          const worst = recent.some((x) => x.ms === null) ? 'unanswered' : `${Math.max(0, ...recent.map((x) => x.ms ?? 0))} ms`;
          log(`${round((Date.now() - t0) / 60_000, 1)} min: load ${round(os.loadavg()[0], 1)}, segments ${p?.segments.done}/${p?.segments.total}, failed ${p?.failures.length}, signalling worst ${worst}`);
        }
      }
    };
    for (const c of o.cuts) {
      await until(c.atS);
      const old = cut;
      const from = Date.now();
      for (const s of [old.audio!, old.video!]) process.kill(s.ffmpeg.pid!, 'SIGSTOP');
      await until(c.atS + c.forS);
      cut = await classroom(shiqiao);
      sources.push(cut);
      const newFirst = Math.max(cut.audio!.firstPacketAt!, cut.video!.firstPacketAt!);
      cutWindowsMs.push([clock(from), clock(newFirst)]);
      log(`cut ${cutWindowsMs.length}: ${round((newFirst - from) / 1000, 1)} s without 石桥 (load ${round(os.loadavg()[0], 1)})`);
      for (const s of [old.audio!, old.video!]) process.kill(s.ffmpeg.pid!, 'SIGCONT');
      await old.stop().catch(() => undefined);
    }
    await until(o.lessonS);
    stopProbes = true;
    await probing;
    probing = undefined;

    // 下课 under load: the teacher's press must be answered at once, whatever processing has queued.
    const endAsked = Date.now();
    await teacher.client.ok('lesson:end', {}, 60_000);
    const endedAt = Date.now();
    const endAckMs = endedAt - endAsked;
    log(`下课 answered in ${endAckMs} ms`);
    const loads = [...burner.loads];
    if (!o.burnThroughProcessing) burner.stop();
    log('lesson ended; waiting for research playback');
    const waitMs = Math.max(0, Math.min(o.playbackWaitS * 1000, (o.playbackBy ?? Infinity) - Date.now()));
    const playbackReady = await poll(async () => (await reader!.progress(lesson.id))?.playbackReady === true, waitMs, 'research playback', 1000).then(
      () => true,
      () => false,
    );
    const playbackReadyS = (Date.now() - endedAt) / 1000;
    log(`research playback ${playbackReady ? '' : 'NOT '}ready ${round(playbackReadyS, 1)} s after the end`);
    loads.push(...burner.loads.slice(loads.length));
    burner.stop(); // the composite may follow on a machine that is no longer saturated
    const compositeReadyS = o.compositeWaitS
      ? await poll(async () => (await reader!.progress(lesson.id))?.compositeReady === true, o.compositeWaitS * 1000, 'composite', 2000).then(
          () => round((Date.now() - endedAt) / 1000, 1),
          () => null,
        )
      : null;

    // Research playback no longer waits for the transcodes (HLS); they go on. Their figures
    // (failed segments, HLS coverage) are taken once they are done, or at the deadline.
    const transcodesWaitMs = Math.max(0, Math.min(o.playbackWaitS * 1000, (o.playbackBy ?? Infinity) - Date.now()));
    const transcodesDoneS = await poll(
      async () => {
        const p = await reader!.progress(lesson.id);
        if (!p || p.segments.done !== p.segments.total) return false;
        // And every track's join settled (playback may be ready through the transcodes first).
        const [j] = await srv!.db.query<{ open: number }>(
          `select count(*)::int as open from recording_tracks t where t.lesson_id = $1 and not exists
             (select 1 from recording_outputs o where o.lesson_id = t.lesson_id and o.kind = 'trackFile' and o.track_id = t.id and o.state in ('done', 'failed'))`,
          [lesson.id],
        );
        return Number(j?.open ?? 1) === 0;
      },
      transcodesWaitMs,
      'the segment transcodes',
      2000,
    ).then(
      () => round((Date.now() - endedAt) / 1000, 1),
      () => null,
    );
    log(`segment transcodes ${transcodesDoneS === null ? 'NOT done' : `done ${transcodesDoneS} s after the end`}`);
    const f = await figures(srv.db, lesson.id, dataDir);
    await o.inspect?.(srv.db, lesson.id);
    const firstPacket = new Map<string, number>();
    for (const s of sources) {
      const key = s === teacher ? 'teacher' : s.snap.self.classroomId ?? '';
      for (const st of [s.audio, s.video]) {
        if (!st?.firstPacketAt) continue;
        const k = `${key}:${st.kind}`;
        firstPacket.set(k, Math.min(firstPacket.get(k) ?? Infinity, clock(st.firstPacketAt)));
      }
    }
    const startLateMs = f.tracks.map((t) => {
      const k = `${t.owner === 'teacher' ? 'teacher' : t.classroomId}:${t.kind}`;
      // A source that was publishing before 开始上课 is expected from clock zero.
      return { label: `${t.label}`, ms: Math.round(t.spanFromMs - Math.max(0, firstPacket.get(k) ?? 0)) };
    });
    const avg = loads.length ? round(loads.reduce((a, b) => a + b, 0) / loads.length, 2) : null;
    return {
      lessonId: lesson.id,
      figures: f,
      playbackReady,
      playbackReadyS: round(playbackReadyS, 1),
      compositeReadyS,
      transcodesDoneS,
      progress: await reader.progress(lesson.id),
      cutWindowsMs,
      cutClassroomId: shiqiao,
      probes,
      endAckMs,
      disconnects,
      startLateMs,
      load: { cores: burner.cores, stressNgBoundS: burner.seconds, avg, max: loads.length ? round(Math.max(...loads), 2) : null, atStart: round(loadAtStart, 2) },
    };
  } finally {
    stopProbes = true;
    burner?.stop();
    await probing?.catch(() => undefined);
    for (const s of sources) {
      for (const st of [s.audio, s.video]) if (st?.ffmpeg.pid && st.ffmpeg.exitCode === null) process.kill(st.ffmpeg.pid, 'SIGCONT');
      await s.close().catch(() => undefined);
    }
    await reader?.close().catch(() => undefined);
    await srv?.close();
    await pipe.close();
  }
}

async function waitForRecording(db: Db, lessonId: string): Promise<{ clockZeroMs: number }> {
  let zero: number | null = null;
  await poll(
    async () => {
      const [r] = await db.query<{ clock_zero: unknown }>('select clock_zero from recordings where lesson_id = $1', [lessonId]);
      zero = r?.clock_zero ? Date.parse(iso(r.clock_zero)) : null;
      return zero !== null;
    },
    60_000,
    'the recording to start',
    200,
  );
  return { clockZeroMs: zero! };
}

