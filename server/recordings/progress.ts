// A lesson's processing summarised for the recordings page and the replay page.
import type { RecordingProgress } from '../contract/recordings.js';
import { keys, lengthMs, windowCount, type LessonState } from './planner.js';

export function summarise(s: LessonState, lesson: { title: string; startedAt: string | null }): RecordingProgress {
  const stopped = s.rec.state === 'stopped';
  const trackOut = s.outputs.filter((o) => o.kind === 'track');
  const windowsTotal = stopped ? windowCount(s) : Math.max(windowCount(s), s.outputs.filter((o) => o.kind === 'window').length);
  const windows = s.outputs.filter((o) => o.kind === 'window');
  const composite = s.outputs.find((o) => o.key === keys.composite(s.rec.lessonId));
  const finished = (o: { state: string }) => o.state === 'done' || o.state === 'failed';
  const pendingSegments = s.segments.filter((g) => g.state === 'open' || (g.state === 'closed' && !trackOut.some((o) => o.trackId === g.trackId && o.seq === g.seq && finished(o))));
  const labels = new Map(s.tracks.map((t) => [t.id, t.label]));
  // A track can be replayed once its joined file is there, or once every segment is transcoded.
  const outputByKey = new Map(s.outputs.map((o) => [o.key, o]));
  const replayable = (trackId: string) =>
    outputByKey.get(keys.trackFile(trackId))?.state === 'done' || !pendingSegments.some((g) => g.trackId === trackId);
  // Weighted by what is left to do: every job counts once; a window not yet queued counts as 0 %.
  const jobs = s.outputs.length + Math.max(0, windowsTotal - windows.length) + (stopped && !composite ? 3 : 0);
  const doneWeight = s.outputs.reduce((n, o) => n + (finished(o) ? 1 : o.progress / 100), 0);
  const compositeState: RecordingProgress['composite']['state'] =
    composite?.state === 'done' ? 'done' : composite?.state === 'failed' || windows.some((w) => w.state === 'failed') ? 'failed' : windows.length ? 'rendering' : 'pending';
  return {
    lessonId: s.rec.lessonId,
    title: lesson.title,
    startedAt: lesson.startedAt,
    recordingState: s.rec.state,
    visibility: s.rec.visibility,
    lengthMs: lengthMs(s),
    percent: jobs ? Math.min(100, Math.round((doneWeight / jobs) * 100)) : 0,
    segments: { done: trackOut.filter(finished).length, total: s.segments.length },
    composite: { state: compositeState, windowsDone: windows.filter((w) => w.state === 'done').length, windowsTotal },
    playbackReady: stopped && s.segments.length > 0 && s.tracks.every((t) => replayable(t.id)),
    compositeReady: composite?.state === 'done',
    failures: s.outputs
      .filter((o) => o.state === 'failed')
      .map((o) => ({ key: o.key, kind: o.kind, trackId: o.trackId, trackLabel: o.trackId ? (labels.get(o.trackId) ?? null) : null, seq: o.seq, error: publicError(o.error ?? 'failed'), attempts: o.attempts })),
  };
}

const TRAIL = new Set([',', '.', ';', ':', ')', ']']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A job's error as users may see it: ffmpeg's cause stays, but no server path (only a file's
 * own name), no internal id (uuids, BullMQ keys, memory addresses) and nothing beyond 200
 * characters. Token by token, so it is linear in the message's length whatever it holds.
 * The full message stays in recording_outputs and the logs.
 */
export function publicError(message: string): string {
  const out: string[] = [];
  // "segment 3 of track <id>: …": the page names the track by its label already.
  for (const raw of message.replace(/ of track [^\s:]+/g, '').split(/\s+/)) {
    if (!raw) continue;
    // Punctuation around a token, by scanning (an anchored `[…]+$` pattern would rescan a run of
    // dots from every position: quadratic on hostile text).
    let end = raw.length;
    while (end > 0 && TRAIL.has(raw[end - 1])) end--;
    let start = 0;
    while (start < end && (raw[start] === '(' || raw[start] === '[')) start++;
    const tail = raw.slice(end);
    const lead = raw.slice(0, start);
    let tok = raw.slice(start, end);
    if (tok.includes('/') || tok.includes('\\')) tok = tok.split(/[/\\]/).pop() ?? '';
    if (UUID.test(tok)) tok = '';
    else if (/^0x[0-9a-f]{6,}$/i.test(tok)) tok = '';
    else if (/^(track|trackfile|window|vad|attribution|composite|thumbnails|peaks)\.[\w-]{12,}/.test(tok)) tok = '';
    if (tok) out.push(lead + tok + tail);
    else if (tail && out.length) out[out.length - 1] += tail;
  }
  const text = out.join(' ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text || 'failed';
}
