// Segments as a loaded machine records them, through the real track worker (BullMQ on real
// Redis, real ffmpeg): VP8 with repeated frame times transcodes to the segment's
// full length instead of failing with "Non-monotonous DTS … aborting", and a failure names
// ffmpeg's actual error line, not a stream description.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorkers, type WorkerHandle } from '../../workers/main.js';
import { createQueues } from '../../server/jobs/queues.js';
import { bullConnection } from '../../server/contract/jobs.js';
import { runFfmpeg } from '../../workers/recording/ffmpeg.js';
import { FfmpegError, probeDuration } from '../../media/process.js';
import type { TrackJob } from '../../server/contract/recordingJobs.js';
import { startTestRedis } from '../helpers/redis.js';
import { makeSegment } from '../helpers/recordingFixtures.js';

const run = promisify(execFile);
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let dataDir: string;
const SEG = 'recordings/l/tracks/v/seg-00001.webm';
beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-rects-'));
  const clean = path.join(dataDir, 'clean.webm');
  await makeSegment(clean, 'video', 4);
  mkdirSync(path.dirname(path.join(dataDir, SEG)), { recursive: true });
  // What a recorder writes when RTP arrives in bursts: every 5th frame repeats the previous
  // frame's time; every 7th is 150 ms early, which the Matroska muxer (like the recorder's)
  // turns into a repeat of the previous time too.
  await run('ffmpeg', ['-v', 'error', '-y', '-i', clean, '-c', 'copy', '-bsf:v',
    "setts=ts='if(eq(mod(N,7),4),PTS-150,if(eq(mod(N,5),3),PREV_INPTS,PTS))'", path.join(dataDir, SEG)]);
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=pts', '-of', 'csv=p=0', file]);
  return stdout.split('\n').filter(Boolean).map(Number);
}

/** One track job through real workers on a queue prefix of its own; its result. */
async function runTrackJob(data: TrackJob): Promise<{ durationS: number }> {
  const prefix = `t-${randomUUID()}`;
  const workers: WorkerHandle = await startWorkers({ redisUrl: redis.url, dataDir, prefix });
  const queues = createQueues(redis.url, prefix);
  const events = new QueueEvents(queues.recording.track.name, { connection: bullConnection(redis.url), prefix });
  try {
    await events.waitUntilReady();
    const job = await queues.recording.track.add('track', data, { jobId: `track.${data.trackId}.${data.seq}`, attempts: 1 });
    return (await job.waitUntilFinished(events, 60_000)) as { durationS: number };
  } finally {
    await events.close();
    await queues.close();
    await workers.close();
  }
}

it('the fixture really has repeated frame times', async () => {
  const pts = await packetTimes(path.join(dataDir, SEG));
  expect(pts.filter((p, i) => i > 0 && p <= pts[i - 1]).length).toBeGreaterThanOrEqual(10);
});

it('a segment with repeated frame times transcodes, with every frame and the right duration', async () => {
  const data: TrackJob = { lessonId: 'l', trackId: 'v', seq: 1, kind: 'video', input: SEG, output: 'recordings/l/out/tracks/v/seg-00001.ts', offsetMs: 8000 };
  const result = await runTrackJob(data);
  expect(result.durationS).toBeGreaterThan(3.8);
  expect(result.durationS).toBeLessThan(4.2);
  const out = path.join(dataDir, data.output);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames:format=start_time', '-of', 'default=nw=1', out]);
  expect(Number(/nb_read_frames=(\d+)/.exec(stdout)?.[1])).toBe((await packetTimes(path.join(dataDir, SEG))).length);
  expect(Number(/start_time=([\d.]+)/.exec(stdout)?.[1])).toBeCloseTo(8, 1); // on the track's timeline
  expect(await probeDuration(out)).toBeGreaterThan(3.8);
}, 90_000);

it('an Opus segment with DTX holes (a quiet room in Chromium) transcodes to audio that keeps its length', async () => {
  // 1.2–3.0 s of packets dropped, as a browser's DTX sends none while its room is silent. Before
  // the fix the AAC segment held only the audio that was there: 2.2 s for 4 s of lesson.
  const src = path.join(dataDir, 'opus-full.webm');
  const seg = 'recordings/l/tracks/a/seg-00001.webm';
  mkdirSync(path.dirname(path.join(dataDir, seg)), { recursive: true });
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=330:d=4:sample_rate=48000', '-c:a', 'libopus', '-b:a', '32k', src]);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', src, '-c', 'copy', '-bsf:a', "noise=drop='between(pts*tb,1.2,3.0)'", path.join(dataDir, seg)]);
  const decodedS = async (file: string) =>
    (await run('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '8000', '-f', 's16le', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 24 })).stdout.length / 16_000;
  expect(await decodedS(path.join(dataDir, seg)), 'the fixture has its hole').toBeLessThan(2.5);
  const data: TrackJob = { lessonId: 'l', trackId: 'a', seq: 1, kind: 'audio', input: seg, output: 'recordings/l/out/tracks/a/seg-00001.ts', offsetMs: 4000 };
  await runTrackJob(data);
  expect(await decodedS(path.join(dataDir, data.output))).toBeGreaterThan(3.8);
}, 90_000);

it("a failed ffmpeg run reports ffmpeg's error line, not a stream description", async () => {
  // The transcode as it was before the timestamp repair: it fails exactly as in the field.
  const err = await runFfmpeg(
    ['-xerror', '-i', path.join(dataDir, SEG), '-map', '0:v:0', '-c:v', 'libx264', '-preset', 'superfast', '-pix_fmt', 'yuv420p',
     '-fps_mode', 'passthrough', '-f', 'mpegts', path.join(dataDir, 'old.ts')],
    { nice: 0 },
  ).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FfmpegError);
  const message = (err as FfmpegError).message;
  expect(message).toMatch(/Non-monotonous DTS in output stream 0:0.*aborting/);
  expect(message).not.toMatch(/Stream #|unknown|0x[0-9a-f]{6}/);
  // The kept tail is the warnings and errors that led there, not the info chatter.
  expect((err as FfmpegError).stderrTail).toMatch(/non-strictly-monotonic PTS/);
  expect((err as FfmpegError).stderrTail).not.toMatch(/\[info\]/);
}, 60_000);
