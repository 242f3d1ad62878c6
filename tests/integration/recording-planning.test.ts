// Recording processing must not crowd out the live lessons on one school server. After a
// 45-minute lesson every job event re-plans a lesson of thousands of segments (hundreds of ms
// of PGlite on the event loop each); unspaced, a saturated machine left 下课 (lesson:end)
// unanswered for 30 s. Here, on the real database and real Redis: a flood of planning requests
// runs as one spaced run, and a lesson's own statement overtakes a backlog of processing ones.
import { randomUUID } from 'node:crypto';
import { expect, it, vi } from 'vitest';
import { keys } from '../../server/recordings/planner.js';
import { listOutputs } from '../../server/recordings/processingRepo.js';
import { fixtureRecording, type FixtureTrack } from '../helpers/recordingFixtures.js';
import { newLesson, pipelineEnv, withPipeline } from '../helpers/recordingPipeline.js';

const env = pipelineEnv('planning');

it('a lesson’s own statement goes before a backlog of processing statements', async () => {
  const db = env.demo.db;
  const done: string[] = [];
  // Each a few ms of PGlite work: a stand-in for planning's reads of a long lesson.
  const heavy = 'select count(*) from generate_series(1, 200000)';
  const backlog = Array.from({ length: 30 }, (_, i) => db.background.query(heavy).then(() => done.push(`background ${i}`)));
  const lesson = await newLesson(env, '前台');
  done.push('foreground');
  await Promise.all(backlog);
  // newLesson runs three statements; each waits at most for the one background statement already running.
  expect(done.indexOf('foreground')).toBeLessThanOrEqual(3);
  expect(done).toHaveLength(31);
  expect(lesson).toMatch(/^[0-9a-f-]{36}$/);
});

it('a flood of planning requests is one run, and the next run waits twice what the last one cost', () =>
  withPipeline(
    env,
    async ({ processing }) => {
      const lessonId = await newLesson(env, '排程');
      const tracks: FixtureTrack[] = Array.from({ length: 6 }, (_, i) => ({
        id: randomUUID(),
        kind: i % 2 ? 'audio' : 'video',
        source: i % 2 ? 'mic' : 'camera',
        owner: 'teacher',
        label: `轨道 ${i}`,
      }));
      await fixtureRecording(env.demo.db, env.dataDir, { lessonId, tracks, segMs: 4500 });
      // 100 closed segments a track, as rows only: with no workers running, their jobs stay queued.
      for (const t of tracks) {
        await env.demo.db.query(
          `insert into recording_segments (track_id, seq, path, start_ms, end_ms, bytes, state)
           select $1, n, $2 || n || '.webm', (n - 1) * 4500, n * 4500, 0, 'closed' from generate_series(1, 100) n`,
          [t.id, `${env.dataDir}/recordings/${lessonId}/tracks/${t.id}/seg-`],
        );
      }
      const loads: number[] = [];
      const load = processing.load.bind(processing);
      vi.spyOn(processing, 'load').mockImplementation((id) => {
        loads.push(Date.now());
        return load(id);
      });

      // A burst of job events (each asks for planning) while the first run waits for the database.
      const runs = Array.from({ length: 100 }, () => processing.advance(lessonId));
      await Promise.all(runs);
      const firstEnd = Date.now();
      expect(loads).toHaveLength(1);
      const outs = await listOutputs(env.demo.db, lessonId);
      expect(outs.filter((o) => o.kind === 'track')).toHaveLength(600);
      expect(outs.filter((o) => o.kind === 'vad')).toHaveLength(300);
      expect(outs.some((o) => o.key === keys.track(tracks[0].id, 100))).toBe(true);

      // The next request waits: at least as long again as the last run took (twice, by design).
      const cost = firstEnd - loads[0];
      await processing.advance(lessonId);
      expect(loads).toHaveLength(2);
      expect(loads[1] - firstEnd).toBeGreaterThanOrEqual(cost);
    },
    // No progress followers: every load() below is planning's.
    { workers: false, progress: false },
  ));
