// Processing degrades in the order (the live lesson, then recording, then processing;
// within processing research playback first): real Redis, the product's recording workers and
// real ffmpeg. With the after-playback workers busy, a composite window queued after a backlog
// of peaks runs before it (BullMQ priorities in one queue); a playback segment waits behind
// none of them nor behind a backlog of voice-activity analysis (queues and workers of their
// own), and the analysis ffmpeg runs at the lowest CPU priority.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bullConnection } from '../../server/contract/jobs.js';
import { startRecordingWorkers } from '../../workers/recording/workers.js';
import { createRecordingQueues, distinctQueues, jobOptions } from '../../server/jobs/queues.js';
import { ANALYSIS_NICE } from '../../media/process.js';
import { RECORDING_QUEUES, type PeaksJob, type VadJob, type WindowJob } from '../../server/contract/recordingJobs.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/services/redisServer.js';
import { makeSegment } from '../helpers/recordingFixtures.js';
import { waitFor } from '../helpers/liveServer.js';

let dataDir: string;
let redis: EmbeddedRedis;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-recprio-'));
  redis = await startEmbeddedRedis(dataDir);
  await Promise.all([
    makeSegment(path.join(dataDir, 'recordings/p/tracks/v/seg-00001.webm'), 'video', 10),
    makeSegment(path.join(dataDir, 'recordings/p/tracks/a/seg-00001.webm'), 'audio', 10),
    makeSegment(path.join(dataDir, 'recordings/p/tracks/a/long.webm'), 'audio', 600),
  ]);
}, 120_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A composite window of `seconds` made of the same 10 s camera and mic segments. */
function windowJob(index: number, seconds: number): WindowJob {
  const inputs: WindowJob['inputs'] = [];
  for (let i = 0; i < Math.ceil(seconds / 10); i++) {
    inputs.push({ role: 'teacherCam', path: 'recordings/p/tracks/v/seg-00001.webm', startMs: i * 10_000 });
    inputs.push({ role: 'audio', path: 'recordings/p/tracks/a/seg-00001.webm', startMs: i * 10_000 });
  }
  return { lessonId: 'p', index, startMs: 0, endMs: seconds * 1000, output: `recordings/p/out/composite/win-${String(index).padStart(5, '0')}.ts`, inputs, screenIntervals: [] };
}
const peaksJob = (i: number): PeaksJob => ({ lessonId: 'p', input: 'recordings/p/tracks/a/seg-00001.webm', output: `recordings/p/out/peaks-${i}.json`, perSecond: 10 });
const vadJob = (seq: number, input = 'recordings/p/tracks/a/seg-00001.webm'): VadJob => ({ lessonId: 'p', trackId: 'a', seq, input, startMs: 0 });

/** The ffmpeg children of this process (nice and setpriv exec into ffmpeg: same pid), with their niceness. */
function ffmpegChildren(): { pid: number; nice: number; args: string }[] {
  let pids: number[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'ffmpeg', '-P', String(process.pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // none running
  }
  return pids.flatMap((pid) => {
    try {
      // /proc/<pid>/stat: field 19 is the nice value (after the parenthesised command name).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      return [{ pid, nice, args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') }];
    } catch {
      return []; // it ended meanwhile
    }
  });
}

it('with the composite workers busy, a window queued after a backlog of peaks runs first, and a playback segment waits for nothing', async () => {
  const prefix = `prio-${randomUUID().slice(0, 8)}`;
  const connection = bullConnection(redis.url);
  const queues = createRecordingQueues(connection, prefix);
  const workers = await startRecordingWorkers(connection, redis.url, { dataDir, prefix });
  const started: string[] = [];
  const completed: string[] = [];
  const names = [...new Set(Object.values(RECORDING_QUEUES))];
  const events = names.map((n) => new QueueEvents(n, { connection, prefix }));
  try {
    for (const e of events) {
      e.on('active', ({ jobId }) => started.push(jobId));
      e.on('completed', ({ jobId }) => completed.push(jobId));
      await e.waitUntilReady();
    }
    // Every composite slot busy with a long window.
    const busy = ['window.p.1', 'window.p.2'];
    for (const [i, id] of busy.entries()) await queues.window.add('window', windowJob(i + 1, 40), jobOptions('window', id));
    await waitFor(() => busy.every((id) => started.includes(id)), 60_000, 'both slots busy');
    // A backlog of peaks and of analysis, then a window of the composite, then a playback segment.
    const peaks = [1, 2, 3, 4].map((i) => `peaks.p.${i}`);
    for (const [i, id] of peaks.entries()) await queues.peaks.add('peaks', peaksJob(i + 1), jobOptions('peaks', id));
    const vads = [1, 2, 3, 4, 5, 6].map((seq) => `vad.a.${seq}`);
    for (const [i, id] of vads.entries()) await queues.vad.add('vad', vadJob(i + 1), jobOptions('vad', id));
    await queues.window.add('window', windowJob(3, 10), jobOptions('window', 'window.p.3'));
    await queues.track.add(
      'track',
      { lessonId: 'p', trackId: 'a', seq: 1, kind: 'audio', input: 'recordings/p/tracks/a/seg-00001.webm', output: 'recordings/p/out/tracks/a/seg-00001.ts', offsetMs: 0 },
      jobOptions('track', 'track.a.1'),
    );
    // The playback segment is done while both long windows still render.
    await waitFor(() => completed.includes('track.a.1'), 60_000, 'the playback segment');
    expect(busy.filter((id) => completed.includes(id))).toEqual([]);
    // Nothing queued after them started in their slots; once one freed, the window before any peaks.
    expect(started.filter((id) => id.startsWith('peaks.') || id === 'window.p.3')).toEqual([]);
    const all = [...peaks, ...vads, 'window.p.3', ...busy];
    await waitFor(() => all.every((id) => completed.includes(id)), 240_000, 'every job');
    const order = started.filter((id) => id === 'window.p.3' || id.startsWith('peaks.'));
    expect(order[0]).toBe('window.p.3');
    expect(order.slice(1)).toEqual(peaks);
  } finally {
    await Promise.all(events.map((e) => e.close()));
    await workers.close();
    await Promise.all(distinctQueues(queues).map((q) => q.close()));
  }
}, 300_000);

it('runs the voice-activity analysis ffmpeg at the lowest CPU priority', async () => {
  const prefix = `prio-${randomUUID().slice(0, 8)}`;
  const connection = bullConnection(redis.url);
  const queues = createRecordingQueues(connection, prefix);
  const workers = await startRecordingWorkers(connection, redis.url, { dataDir, prefix });
  try {
    // Ten minutes of audio: its decoder runs long enough to be seen.
    const job = await queues.vad.add('vad', vadJob(1, 'recordings/p/tracks/a/long.webm'), jobOptions('vad', 'vad.long.1'));
    const decoder = await waitFor(() => ffmpegChildren().find((c) => c.args.includes('long.webm')), 60_000, 'the analysis ffmpeg');
    expect(decoder.nice).toBe(ANALYSIS_NICE);
    expect(ANALYSIS_NICE).toBe(19);
    await waitFor(async () => (await job.getState()) === 'completed', 120_000, 'the analysis to finish');
  } finally {
    await workers.close();
    await Promise.all(distinctQueues(queues).map((q) => q.close()));
  }
}, 200_000);
