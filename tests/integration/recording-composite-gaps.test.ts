// The composite shows what was recorded: when the teacher's camera segment is corrupt (its
// track job fails, the segment is marked), the window is drawn from the inputs that exist — a
// classroom camera fills the frame — never black where a picture was recorded. Real Redis
// (BullMQ), real ffmpeg, the real database; the frame's pixels are read back with ffmpeg.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { recPaths } from '../../server/contract/recordingPaths.js';
import { newLesson, pipelineEnv, withPipeline } from '../helpers/recordingPipeline.js';
import { fixtureRecording, type FixtureTrack } from '../helpers/recordingFixtures.js';
import { waitFor } from '../helpers/liveServer.js';

const run = promisify(execFile);
const env = pipelineEnv('recgap');

/** Mean and spread of a frame's luma at `atS`, scaled down to 64×36 grey. */
async function luma(file: string, atS: number): Promise<{ mean: number; range: number }> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-ss', String(atS), '-i', file, '-frames:v', '1', '-vf', 'scale=64:36,format=gray', '-f', 'rawvideo', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 20,
  });
  const px = [...(stdout as Buffer)];
  expect(px.length).toBe(64 * 36);
  return { mean: px.reduce((a, b) => a + b, 0) / px.length, range: Math.max(...px) - Math.min(...px) };
}

it('a window whose teacher-camera segment is corrupt still shows the classroom camera that was recorded', () =>
  withPipeline(env, async ({ processing }) => {
    const lessonId = await newLesson(env, '合成画面');
    const qingshan = await env.demo.classroomId('四年级');
    const tracks: FixtureTrack[] = [
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' },
      { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', label: '王老师 麦克风' },
      // Never on stage: before, it was drawn only as the on-stage inset.
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'classroom', classroomId: qingshan, label: '青山村小学 摄像头' },
    ];
    const rec = await fixtureRecording(env.demo.db, env.dataDir, { lessonId, tracks, segMs: 10_000 });
    await rec.closeSegment(tracks[0].id, 1, { corrupt: 'garbage' });
    await rec.closeSegment(tracks[1].id, 1);
    await rec.closeSegment(tracks[2].id, 1);
    await rec.stop(10_000);
    processing.onRecordingStopped({ lessonId });
    const pr = await waitFor(async () => {
      const x = await processing.progress(lessonId);
      return x?.compositeReady ? x : null;
    }, 180_000, 'the composite');
    expect(pr.failures.map((f) => [f.kind, f.trackId])).toContainEqual(['track', tracks[0].id]);
    const mp4 = path.join(env.dataDir, recPaths.compositeMp4(lessonId));
    // testsrc2 (the classroom's picture) is bright and varied; black is luma 16 everywhere.
    for (const at of [1, 5, 9]) {
      const y = await luma(mp4, at);
      expect(y.range, `frame at ${at} s`).toBeGreaterThan(60);
      expect(y.mean, `frame at ${at} s`).toBeGreaterThan(30);
    }
  }), 300_000);
