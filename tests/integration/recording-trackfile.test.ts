// Research playback that does not wait for transcoding: after the end each track's recorded
// segments are joined, copied, into one WebM (real ffmpeg, BullMQ on real Redis, the real
// database). The join goes before the backlog of per-segment transcodes, keeps a gap on the
// track's timeline, leaves an unreadable segment out, and playback is ready while transcodes
// are still queued — as on a saturated school server whose transcodes fell behind.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { keys } from '../../server/recordings/planner.js';
import { trackPlaylist } from '../../server/recordings/playlists.js';
import { listOutputs, listSegments } from '../../server/recordings/processingRepo.js';
import { recPaths } from '../../server/contract/recordingPaths.js';
import { newLesson, pipelineEnv, withPipeline } from '../helpers/recordingPipeline.js';
import { fixtureRecording, type FixtureTrack } from '../helpers/recordingFixtures.js';
import { waitFor } from '../helpers/liveServer.js';

const run = promisify(execFile);
const env = pipelineEnv('trackfile');

/** Packet times of a file's first stream (seconds). */
async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', '0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 16 << 20 });
  // ffprobe prints a packet's side data (Opus pre-skip at each part's start) as an extra line.
  return stdout.split('\n').filter((l) => l.trim() !== '' && l !== 'N/A').map((l) => Number.parseFloat(l)).filter(Number.isFinite);
}

it('joins every track into one WebM before the transcode backlog, gaps kept and unreadable segments left out', () =>
  withPipeline(env, async ({ processing, queues }) => {
    const lessonId = await newLesson(env, '回放测试');
    const cam: FixtureTrack = { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' };
    const mic: FixtureTrack = { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', label: '王老师 麦克风' };
    const rec = await fixtureRecording(env.demo.db, env.dataDir, { lessonId, tracks: [cam, mic], segMs: 2000 });
    // 24 s: the camera's segment 4 is garbage (unreadable), segments 7–8 were never recorded (the
    // source went away for 4 s); the microphone is whole. Nothing was transcoded during the
    // lesson (the machine was too busy), so all of it waits when the lesson ends.
    for (let seq = 1; seq <= 12; seq++) {
      if (seq !== 7 && seq !== 8) await rec.closeSegment(cam.id, seq, seq === 4 ? { corrupt: 'garbage' } : {});
      await rec.closeSegment(mic.id, seq);
    }
    await rec.stop(24_000);
    processing.onRecordingStopped({ lessonId });

    const ready = await waitFor(async () => {
      const pr = await processing.progress(lessonId);
      return pr?.playbackReady ? pr : null;
    }, 60_000, 'research playback');
    // Ready while most of the transcodes are still to do: it waited for none of them.
    expect(ready.segments.done).toBeLessThan(ready.segments.total / 2);

    const outs = await listOutputs(env.demo.db, lessonId);
    const files = outs.filter((o) => o.kind === 'trackFile');
    expect(files.map((o) => [o.trackId, o.state]).sort()).toEqual([[cam.id, 'done'], [mic.id, 'done']].sort());
    expect(files.find((o) => o.trackId === cam.id)?.meta).toMatchObject({ skipped: 1 });

    // The joins ran before the backlog: at most the two transcodes already running went first.
    const jobs = await Promise.all(outs.filter((o) => o.kind === 'track' || o.kind === 'trackFile').map((o) => queues.recording.track.getJob(o.key)));
    const firstJoin = Math.min(...jobs.filter((j) => j?.name === 'trackFile').map((j) => j!.processedOn ?? Infinity));
    const before = jobs.filter((j) => j?.name === 'track' && (j.processedOn ?? Infinity) < firstJoin);
    expect(before.length).toBeLessThanOrEqual(4);

    // The camera: copied VP8, the picture up to 6 s, nothing 6–8 s (garbage), then 8–12 s, a gap
    // 12–16 s (never recorded), then 16–24 s; on the track's timeline.
    const camFile = path.join(env.dataDir, recPaths.trackFile(lessonId, cam.id));
    const { stdout: codec } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', camFile]);
    expect(codec.trim()).toBe('vp8');
    const t = await packetTimes(camFile);
    const holes = t.slice(1).map((x, i) => [t[i], x]).filter(([a, b]) => b - a > 1);
    expect(holes.length).toBe(2);
    expect(holes[0][0]).toBeGreaterThan(5.5);
    expect(holes[0][1]).toBeCloseTo(8, 0);
    expect(holes[1][0]).toBeGreaterThan(11.5);
    expect(holes[1][1]).toBeCloseTo(16, 0);
    expect(t.at(-1)!).toBeGreaterThan(23.5);
    // The microphone: Opus, 24 s without a hole.
    const micFile = path.join(env.dataDir, recPaths.trackFile(lessonId, mic.id));
    const m = await packetTimes(micFile);
    expect(m.at(-1)!).toBeGreaterThan(23.5);
    expect(Math.max(...m.slice(1).map((x, i) => x - m[i]))).toBeLessThan(0.1);

    // The rest still finishes: every segment transcoded (the garbage one failed for good).
    await waitFor(async () => {
      const pr = await processing.progress(lessonId);
      return pr && pr.segments.done === pr.segments.total ? pr : null;
    }, 120_000, 'the transcodes');
    expect((await listOutputs(env.demo.db, lessonId)).find((o) => o.key === keys.track(cam.id, 4))?.state).toBe('failed');
  }), 240_000);

it("plays a camera that sends 4 frames a second to each segment's end: no gap after every segment", () =>
  withPipeline(env, async ({ processing }) => {
    const lessonId = await newLesson(env, '回放测试');
    const cam: FixtureTrack = { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' };
    const rec = await fixtureRecording(env.demo.db, env.dataDir, { lessonId, tracks: [cam], segMs: 4000 });
    // A browser on a busy machine: 4 frames a second, so each segment's last frame starts 0.25 s before its end.
    for (const seq of [1, 2, 3]) {
      await rec.closeSegment(cam.id, seq, { rate: 4 });
      processing.onSegmentClosed({ lessonId, trackId: cam.id, seq });
    }
    const outs = await waitFor(async () => {
      const o = (await listOutputs(env.demo.db, lessonId)).filter((x) => x.kind === 'track');
      return o.length === 3 && o.every((x) => x.state === 'done') ? o : null;
    }, 60_000, 'three transcoded segments');
    for (const o of outs) expect(Number(o.meta.durationS)).toBeCloseTo(4, 1);
    const playlist = trackPlaylist(0, (await listSegments(env.demo.db, lessonId)).filter((g) => g.trackId === cam.id), new Map(outs.map((o) => [o.seq!, o])), false);
    expect(playlist).not.toContain('#EXT-X-GAP');
  }), 120_000);
