// Which processing jobs a lesson's recording needs now, from what capture has written so far
// and which outputs exist. Pure: the orchestrator (processing.ts) loads the state, asks here,
// and enqueues what comes back; asking twice gives the same job ids, so nothing runs twice.
import type { OutputKind } from '../contract/recordings.js';
import { COMPOSITE, type AttributionJob, type RecordingQueue, type TrackFileJob, type TrackJob, type VadJob, type WindowJob } from '../contract/recordingJobs.js';
import { unionSpans, type Span } from '../contract/analysis/timeline.js';
import { recPaths, toRel } from '../contract/recordingPaths.js';
import { stageIntervals } from '../contract/lessonEvents.js';
// Re-exported: the planner's users (and its tests) take it from here.
export { stageIntervals };
import type { EventRec, OutputRow, SegmentRec } from './processingRepo.js';
import type { RecordingRow, TrackRow } from './repo.js';

export interface JobSpec {
  queue: RecordingQueue;
  key: string;
  kind: OutputKind;
  trackId?: string;
  seq?: number;
  path: string | null;
  data: object;
}

export interface LessonState {
  rec: RecordingRow;
  tracks: TrackRow[];
  segments: SegmentRec[];
  events: EventRec[];
  outputs: OutputRow[];
}

/** BullMQ job ids may not contain ':'; ours are `<kind>.<ids>`. */
const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
export const keys = {
  track: (trackId: string, seq: number) => `track.${clean(trackId)}.${seq}`,
  trackFile: (trackId: string) => `trackfile.${clean(trackId)}`,
  vad: (trackId: string, seq: number) => `vad.${clean(trackId)}.${seq}`,
  window: (lessonId: string, i: number) => `window.${clean(lessonId)}.${i}`,
  composite: (lessonId: string) => `composite.${clean(lessonId)}`,
  thumbnails: (lessonId: string) => `thumbnails.${clean(lessonId)}`,
  peaks: (lessonId: string) => `peaks.${clean(lessonId)}`,
  attribution: (lessonId: string) => `attribution.${clean(lessonId)}`,
};

export const THUMBS_EVERY_S = 10;

/**
 * The lesson's recorded length: from the clock's zero to the end — of the lesson, or of the
 * recording if it stopped earlier (disk full) — or, while it runs, to the furthest segment.
 */
export function lengthMs(s: LessonState): number {
  const segEnd = Math.max(0, ...s.segments.map((g) => g.endMs ?? g.startMs));
  const ends = [s.rec.endedAt, s.rec.state === 'stopped' ? s.rec.lessonEndedAt : null].filter((x): x is string => !!x).map(Date.parse);
  if (ends.length) return Math.max(0, Math.min(...ends) - Date.parse(s.rec.clockZero));
  return segEnd;
}

export function windowCount(s: LessonState): number {
  return Math.ceil(lengthMs(s) / COMPOSITE.windowMs);
}

export function planJobs(s: LessonState, dataDir: string): JobSpec[] {
  const specs: JobSpec[] = [];
  const have = new Map(s.outputs.map((o) => [o.key, o]));
  const trackById = new Map(s.tracks.map((t) => [t.id, t]));
  const lessonId = s.rec.lessonId;

  // 1. Every closed segment: research playback, and voice activity for microphones.
  for (const g of s.segments) {
    const t = trackById.get(g.trackId);
    if (!t || g.state !== 'closed') continue;
    const input = toRel(dataDir, g.path);
    const tk = keys.track(t.id, g.seq);
    if (!have.has(tk)) {
      const data: TrackJob = {
        lessonId,
        trackId: t.id,
        seq: g.seq,
        kind: t.kind,
        input,
        output: recPaths.trackChunk(lessonId, t.id, g.seq),
        offsetMs: Math.max(0, g.startMs - t.startMs),
        ...(g.endMs != null && g.endMs > g.startMs ? { plannedMs: g.endMs - g.startMs } : {}),
      };
      specs.push({ queue: 'track', key: tk, kind: 'track', trackId: t.id, seq: g.seq, path: data.output, data });
    }
    const vk = keys.vad(t.id, g.seq);
    if (t.kind === 'audio' && !have.has(vk)) {
      const data: VadJob = { lessonId, trackId: t.id, seq: g.seq, input, startMs: g.startMs, bands: recPaths.vadBands(lessonId, t.id, g.seq) };
      specs.push({ queue: 'vad', key: vk, kind: 'vad', trackId: t.id, seq: g.seq, path: null, data });
    }
  }

  // 2. After the end, each track whose segments are all closed: its research playback as one
  // file, joined from the recorded segments without re-encoding (it waits for no transcode).
  const stopped = s.rec.state === 'stopped';
  if (stopped) {
    for (const t of s.tracks) {
      const key = keys.trackFile(t.id);
      if (have.has(key)) continue;
      const segs = s.segments.filter((g) => g.trackId === t.id).sort((a, b) => a.seq - b.seq);
      if (!segs.length || segs.some((g) => g.state === 'open')) continue;
      const closed = segs.filter((g) => g.state === 'closed');
      if (!closed.length) continue;
      const data: TrackFileJob = {
        lessonId,
        trackId: t.id,
        kind: t.kind,
        parts: closed.map((g) => ({ path: toRel(dataDir, g.path), atMs: Math.max(0, g.startMs - t.startMs) })),
        output: recPaths.trackFile(lessonId, t.id),
      };
      specs.push({ queue: 'trackFile', key, kind: 'trackFile', trackId: t.id, path: data.output, data });
    }
  }

  // 3. Composite windows whose every overlapping segment is closed and processed (or failed).
  const L = lengthMs(s);
  const W = COMPOSITE.windowMs;
  const stage = stageIntervals(s.events, L);
  const trackDone = (g: SegmentRec) => {
    const o = have.get(keys.track(g.trackId, g.seq));
    return g.state === 'corrupt' || (o && (o.state === 'done' || o.state === 'failed'));
  };
  const usable = (g: SegmentRec) => g.state === 'closed' && have.get(keys.track(g.trackId, g.seq))?.state === 'done';
  const screenIntervals: [number, number][] = s.segments
    .filter((g) => trackById.get(g.trackId)?.source === 'screen' && usable(g))
    .map((g) => [g.startMs, g.endMs ?? g.startMs]);
  const windows = stopped ? windowCount(s) : Math.floor(L / W);
  for (let i = 0; i < windows; i++) {
    const key = keys.window(lessonId, i);
    if (have.has(key)) continue;
    const a = i * W;
    const b = Math.min((i + 1) * W, stopped ? L : Infinity);
    if (b <= a) continue;
    const overlapping = s.segments.filter((g) => g.startMs < b && (g.endMs ?? Infinity) > a);
    if (!overlapping.every((g) => g.state !== 'open' && trackDone(g))) continue;
    if (!stopped) {
      // Still recording: every track that may appear in this window must have been recorded past its end.
      const covered = s.tracks
        .filter((t) => t.startMs < b && (t.endMs == null || t.endMs > a))
        .every((t) => {
          const until = Math.max(-1, ...s.segments.filter((g) => g.trackId === t.id && g.state !== 'open').map((g) => g.endMs ?? -1));
          return until >= Math.min(b, t.endMs ?? b);
        });
      if (!covered) continue;
    }
    const inputs: WindowJob['inputs'] = [];
    for (const g of overlapping.filter(usable)) {
      const t = trackById.get(g.trackId)!;
      const path = toRel(dataDir, g.path);
      const endMs = g.endMs ?? undefined;
      if (t.kind === 'audio') inputs.push({ role: 'audio', path, startMs: g.startMs });
      else if (t.source === 'screen') inputs.push({ role: 'screen', path, startMs: g.startMs, endMs });
      else if (t.owner === 'teacher') inputs.push({ role: 'teacherCam', path, startMs: g.startMs, endMs });
      else if (t.classroomId) {
        // Off stage too: where the teacher's camera has no picture (failed segment, recorder
        // gap) the window shows a classroom instead of black.
        const shown = (stage.get(t.classroomId) ?? []).filter(([x, y]) => y > a && x < b);
        inputs.push({ role: 'classroomCam', path, startMs: g.startMs, endMs, shown });
      }
    }
    const data: WindowJob = {
      lessonId,
      index: i,
      startMs: a,
      endMs: b,
      output: recPaths.windowChunk(lessonId, i),
      inputs,
      screenIntervals: screenIntervals.filter(([x, y]) => y > a && x < b),
    };
    specs.push({ queue: 'window', key, kind: 'window', path: data.output, data });
  }

  // 4. After the end: the windows joined into the MP4, then its thumbnails and peaks.
  if (stopped && windows > 0) {
    const wins = Array.from({ length: windows }, (_, i) => have.get(keys.window(lessonId, i)));
    const ck = keys.composite(lessonId);
    if (wins.every((o) => o?.state === 'done') && !have.has(ck)) {
      const output = recPaths.compositeMp4(lessonId);
      specs.push({ queue: 'composite', key: ck, kind: 'composite', path: output, data: { lessonId, chunks: wins.map((o) => o!.path!), output } });
    }
    if (have.get(ck)?.state === 'done') {
      const input = recPaths.compositeMp4(lessonId);
      const tk = keys.thumbnails(lessonId);
      if (!have.has(tk)) {
        const output = recPaths.thumbnails(lessonId);
        specs.push({ queue: 'thumbnails', key: tk, kind: 'thumbnails', path: output, data: { lessonId, input, output, everyS: THUMBS_EVERY_S, columns: 10 } });
      }
      const pk = keys.peaks(lessonId);
      if (!have.has(pk)) {
        const output = recPaths.peaks(lessonId);
        specs.push({ queue: 'peaks', key: pk, kind: 'peaks', path: output, data: { lessonId, input, output, perSecond: 10 } });
      }
    }
  }
  // 5. After the end, once every audio segment's voice activity is in: who really spoke in
  // each room, from all audio tracks together (workers/analysis/attribution.ts).
  const attribution = stopped ? planAttribution(s, have) : null;
  if (attribution) specs.push({ queue: 'attribution', key: keys.attribution(lessonId), kind: 'attribution', path: null, data: attribution });
  return specs;
}

function planAttribution(s: LessonState, have: Map<string, OutputRow>): AttributionJob | null {
  if (have.has(keys.attribution(s.rec.lessonId))) return null;
  const audio = new Set(s.tracks.filter((t) => t.kind === 'audio').map((t) => t.id));
  const segs = s.segments.filter((g) => audio.has(g.trackId));
  const vadOf = (g: SegmentRec) => have.get(keys.vad(g.trackId, g.seq));
  const settled = (g: SegmentRec) => g.state === 'corrupt' || (g.state === 'closed' && (vadOf(g)?.state === 'done' || vadOf(g)?.state === 'failed'));
  if (!segs.length || !segs.every(settled)) return null;
  const tracks: AttributionJob['tracks'] = [];
  for (const id of audio) {
    const done = segs.filter((g) => g.trackId === id && vadOf(g)?.state === 'done').sort((a, b) => a.seq - b.seq);
    if (!done.length) continue;
    const metas = done.map((g) => ({ g, meta: vadOf(g)!.meta as { bands?: unknown; segments?: unknown } }));
    // Recorded before band levels existed: the lesson keeps its raw voice activity.
    if (metas.some((m) => typeof m.meta.bands !== 'string')) return null;
    tracks.push({
      trackId: id,
      parts: metas.map((m) => ({ bands: m.meta.bands as string, startMs: m.g.startMs })),
      raw: unionSpans(metas.flatMap((m) => (Array.isArray(m.meta.segments) ? (m.meta.segments as Span[]) : []))),
    });
  }
  return tracks.length ? { lessonId: s.rec.lessonId, tracks } : null;
}
