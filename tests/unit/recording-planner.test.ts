// The processing planner and the HLS playlists: pure functions over a lesson's recording state.
import { describe, expect, it } from 'vitest';
import { keys, planJobs, stageIntervals, type LessonState } from '../../server/recordings/planner.js';
import type { EventRec } from '../../server/recordings/processingRepo.js';
import { compositePlaylist, trackPlaylist } from '../../server/recordings/playlists.js';
import type { OutputRow, SegmentRec } from '../../server/recordings/processingRepo.js';
import type { TrackRow } from '../../server/recordings/repo.js';
import type { WindowJob } from '../../server/contract/recordingJobs.js';

const cam: TrackRow = { id: 'cam', lessonId: 'L', kind: 'video', source: 'camera', owner: 'teacher', classroomId: null, userId: null, label: 'c', startMs: 0, endMs: null };
const mic: TrackRow = { ...cam, id: 'mic', kind: 'audio', source: 'mic' };
const room: TrackRow = { ...cam, id: 'room', owner: 'classroom', classroomId: 'A', startMs: 2000 };
const seg = (trackId: string, seq: number, startMs: number, endMs: number | null, state: SegmentRec['state'] = 'closed'): SegmentRec => ({ trackId, seq, path: `recordings/L/tracks/${trackId}/seg-${seq}.webm`, startMs, endMs, state });
const out = (key: string, state: OutputRow['state'], extra: Partial<OutputRow> = {}): OutputRow => ({ lessonId: 'L', key, kind: key.split('.')[0] as OutputRow['kind'], trackId: null, seq: null, state, progress: 0, attempts: 0, error: null, path: `p/${key}`, meta: {}, ...extra });

function state(p: Partial<LessonState>): LessonState {
  return {
    rec: { lessonId: 'L', state: 'recording', clockZero: '2026-11-23T08:00:00.000Z', endedAt: null, lessonEndedAt: null, visibility: 'participants', stopReason: null },
    tracks: [cam, mic],
    segments: [],
    events: [],
    outputs: [],
    ...p,
  };
}

describe('planJobs', () => {
  it('queues a track job per closed segment and voice activity for microphones, never twice', () => {
    const s = state({ segments: [seg('cam', 1, 0, 4000), seg('mic', 1, 0, 4000), seg('cam', 2, 4000, null, 'open')] });
    const jobs = planJobs(s, '/data');
    expect(jobs.map((j) => j.key).sort()).toEqual([keys.track('cam', 1), keys.track('mic', 1), keys.vad('mic', 1)].sort());
    s.outputs = jobs.map((j) => out(j.key, 'queued'));
    expect(planJobs(s, '/data')).toEqual([]);
  });

  it('renders a window only once every track is recorded and processed past its end', () => {
    const segs = [seg('cam', 1, 0, 30_000), seg('mic', 1, 0, 20_000)];
    const outs = [out(keys.track('cam', 1), 'done'), out(keys.track('mic', 1), 'done'), out(keys.vad('mic', 1), 'done')];
    expect(planJobs(state({ segments: segs, outputs: outs }), '/data').filter((j) => j.kind === 'window')).toEqual([]); // mic only to 20 s
    segs.push(seg('mic', 2, 20_000, 30_000));
    const withMic = planJobs(state({ segments: segs, outputs: outs }), '/data');
    expect(withMic.some((j) => j.kind === 'window')).toBe(false); // mic seg 2 closed but not transcoded yet
    outs.push(out(keys.track('mic', 2), 'done'), out(keys.vad('mic', 2), 'done'));
    const [w] = planJobs(state({ segments: segs, outputs: outs }), '/data');
    expect(w.key).toBe(keys.window('L', 0));
    expect((w.data as WindowJob).inputs.map((i) => [i.role, i.startMs])).toEqual([['teacherCam', 0], ['audio', 0], ['audio', 20_000]]);
  });

  it('shows a classroom camera only while on stage, leaves failed segments out, and finishes after the stop', () => {
    const s = state({
      rec: { lessonId: 'L', state: 'stopped', clockZero: '2026-11-23T08:00:00.000Z', endedAt: '2026-11-23T08:00:44.000Z', lessonEndedAt: '2026-11-23T08:00:40.000Z', visibility: 'participants', stopReason: null },
      tracks: [cam, room],
      segments: [seg('cam', 1, 0, 40_000), seg('room', 1, 2000, 20_000), seg('room', 2, 20_000, 40_000)],
      outputs: [out(keys.track('cam', 1), 'done'), out(keys.track('room', 1), 'failed'), out(keys.track('room', 2), 'done')],
      events: [
        { atMs: 25_000, type: 'stage:on', actorId: null, payload: { classroomId: 'A' } },
        { atMs: 35_000, type: 'stage:off', actorId: null, payload: { classroomId: null } },
      ],
    });
    const wins = planJobs(s, '/data').filter((j) => j.kind === 'window').map((j) => j.data as WindowJob);
    expect(wins.map((w) => [w.startMs, w.endMs])).toEqual([[0, 30_000], [30_000, 40_000]]);
    expect(wins[0].inputs.map((i) => [i.role, i.startMs, i.shown])).toEqual([['teacherCam', 0, undefined], ['classroomCam', 20_000, [[25_000, 35_000]]]]);
    expect(wins[1].inputs.find((i) => i.role === 'classroomCam')?.shown).toEqual([[25_000, 35_000]]);
    s.outputs.push(out(keys.window('L', 0), 'done'), out(keys.window('L', 1), 'done'));
    const composite = planJobs(s, '/data').find((j) => j.kind === 'composite')!;
    expect(composite.kind).toBe('composite');
    expect((composite.data as { chunks: string[] }).chunks).toEqual([`p/${keys.window('L', 0)}`, `p/${keys.window('L', 1)}`]);
  });

  it("joins each track's recorded segments into one file after the stop, gaps kept, without waiting for any transcode", () => {
    const stopped = { lessonId: 'L', state: 'stopped' as const, clockZero: '2026-11-23T08:00:00.000Z', endedAt: '2026-11-23T08:00:30.000Z', lessonEndedAt: '2026-11-23T08:00:30.000Z', visibility: 'participants' as const, stopReason: null };
    // room: starts at 2 s; segment 2 unreadable (corrupt); a source-gone gap 12–16 s.
    const segments = [seg('cam', 1, 0, 4000), seg('cam', 2, 4000, 8000), seg('room', 1, 2500, 6000), seg('room', 2, 6000, 9000, 'corrupt'), seg('room', 3, 9000, 12_000), seg('room', 4, 16_000, 20_000)];
    // Nothing while recording, even with every segment closed.
    expect(planJobs(state({ tracks: [cam, room], segments }), '/data').filter((j) => j.kind === 'trackFile')).toEqual([]);
    const files = planJobs(state({ rec: stopped, tracks: [cam, room], segments }), '/data').filter((j) => j.kind === 'trackFile');
    expect(files.map((j) => j.key)).toEqual([keys.trackFile('cam'), keys.trackFile('room')]);
    expect(files[0].data).toMatchObject({ kind: 'video', parts: [{ path: 'recordings/L/tracks/cam/seg-1.webm', atMs: 0 }, { path: 'recordings/L/tracks/cam/seg-2.webm', atMs: 4000 }] });
    // On the track's own timeline (it starts at 2 s); the corrupt segment is left out.
    expect(files[1].data).toMatchObject({
      parts: [
        { path: 'recordings/L/tracks/room/seg-1.webm', atMs: 500 },
        { path: 'recordings/L/tracks/room/seg-3.webm', atMs: 7000 },
        { path: 'recordings/L/tracks/room/seg-4.webm', atMs: 14_000 },
      ],
    });
    // A track with a segment still open waits; one already joined is not joined again.
    const waiting = planJobs(state({ rec: stopped, tracks: [cam, room], segments: [...segments, seg('cam', 3, 8000, null, 'open')], outputs: [out(keys.trackFile('room'), 'done')] }), '/data');
    expect(waiting.filter((j) => j.kind === 'trackFile')).toEqual([]);
  });

  it('tells a video segment its planned length (the next segment starts there)', () => {
    const jobs = planJobs(state({ segments: [seg('cam', 1, 0, 4000), seg('mic', 1, 0, 4000)] }), '/data');
    expect(jobs.find((j) => j.key === keys.track('cam', 1))?.data).toMatchObject({ plannedMs: 4000, offsetMs: 0 });
  });

  it('stage intervals close on the next stage change or at the end', () => {
    const ev = (atMs: number, type: 'stage:on' | 'stage:off', classroomId: string | null): EventRec =>
      type === 'stage:on' ? { atMs, type, actorId: null, payload: { classroomId: classroomId! } } : { atMs, type, actorId: null, payload: { classroomId: null } };
    expect(Object.fromEntries(stageIntervals([ev(1000, 'stage:on', 'A'), ev(5000, 'stage:on', 'B'), ev(9000, 'stage:off', null), ev(12_000, 'stage:on', 'A')], 20_000))).toEqual({
      A: [[1000, 5000], [12_000, 20_000]],
      B: [[5000, 9000]],
    });
  });
});

describe('playlists', () => {
  it('a track: processed segments, gaps for holes and failures, ENDLIST only when complete', () => {
    const segs = [seg('cam', 1, 0, 4000), seg('cam', 2, 4000, 8000), seg('cam', 3, 10_000, 14_000)];
    const outs = new Map([
      [1, out('track.cam.1', 'done', { meta: { durationS: 4.02 } })],
      [2, out('track.cam.2', 'failed')],
      [3, out('track.cam.3', 'done', { meta: { durationS: 3.98 } })],
    ]);
    const text = trackPlaylist(0, segs, outs, true);
    expect(text).toContain('#EXTINF:4.020,\nseg-00001.ts\n#EXT-X-GAP\n#EXTINF:4.000,\nseg-00002.ts\n#EXT-X-GAP\n#EXTINF:2.000,\nseg-00003.ts\n#EXTINF:3.980,\nseg-00003.ts\n#EXT-X-ENDLIST');
    outs.delete(3);
    const partial = trackPlaylist(0, segs, outs, true);
    expect(partial).not.toContain('ENDLIST');
    expect(partial).toContain('PLAYLIST-TYPE:EVENT');
  });

  it('the composite: windows in order up to the first missing one', () => {
    const w = (i: number, state: OutputRow['state']) => out(keys.window('L', i), state, { meta: { durationS: 30 } });
    expect(compositePlaylist([w(0, 'done'), w(2, 'done')], 3, true)).not.toContain('win-00002');
    expect(compositePlaylist([w(0, 'done'), w(1, 'done'), w(2, 'done')], 3, true)).toContain('win-00002.ts\n#EXT-X-ENDLIST');
  });
});
