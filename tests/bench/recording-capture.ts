// Benchmark: CPU per recorded classroom (camera + mic) while recording, without processing.
// Real web role in-process (mediasoup worker, ffmpeg recorders, PGlite); classrooms are
// ffmpeg RTP sources (tests/helpers/rtpSource.ts) sending a pre-encoded 640x360 20 fps VP8
// clip and a live Opus tone, as a projector's modest camera layer would.
//
// Two windows of the same live lesson with K classrooms publishing:
//   A: recording paused  → mediasoup worker CPU (forwarding only)
//   B: recording running → mediasoup worker CPU + every recorder ffmpeg's CPU
// cores per classroom = (worker_B − worker_A + recorders_B) / window / K, from /proc/<pid>/stat.
//
//   npx tsx tests/bench/recording-capture.ts [--classrooms=4] [--seconds=20]
import { readFileSync } from 'node:fs';
import { startLiveServer, waitFor } from '../helpers/liveServer.js';
import { startRtpSource, type RtpSource } from '../helpers/rtpSource.js';
import { log as blog, round, sleep, updateDocRow, writeResult, LOAD_AT_START } from './lib.js';

const NAME = 'recording-capture';
const log = (...a: unknown[]) => blog(NAME, ...a);
const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const K = arg('classrooms', 4);
const SECONDS = arg('seconds', 20);
const TARGET = 0.05;
const TICK = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return null;
  }
}

/** CPU seconds each pid used over `seconds` (pids alive at both ends only). */
async function measure(pids: () => number[], seconds: number): Promise<{ cpu: number; pids: number }> {
  const before = new Map(pids().map((p) => [p, cpuTicks(p)]));
  await sleep(seconds * 1000);
  let cpu = 0;
  let n = 0;
  for (const p of pids()) {
    const a = before.get(p);
    const b = cpuTicks(p);
    if (a == null || b == null) continue;
    cpu += (b - a) / TICK;
    n++;
  }
  return { cpu, pids: n };
}

async function main(): Promise<void> {
  const srv = await startLiveServer({});
  const sources: RtpSource[] = [];
  try {
    // K classrooms: the demo's two rural ones and more in the same schools.
    const classroomIds = [srv.classrooms.qingshan, srv.classrooms.shiqiao];
    const schools = await srv.db.query<{ school_id: string }>('select school_id from classrooms where id in ($1, $2)', classroomIds);
    for (let i = classroomIds.length; i < K; i++) {
      const id = `bench-classroom-${i}`;
      await srv.db.query('insert into classrooms (id, school_id, name, grade) values ($1, $2, $3, 4) on conflict do nothing', [
        id,
        schools[i % schools.length].school_id,
        `五年级(${i})班`,
      ]);
      classroomIds.push(id);
    }
    const lesson = await srv.createLesson(classroomIds.slice(0, K));
    const teacher = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
    await teacher.ok('lesson:join', { lessonId: lesson.id });
    await teacher.ok('lesson:start', {});
    await teacher.ok('recording:pause', {});
    for (const classroomId of classroomIds.slice(0, K)) {
      sources.push(
        await startRtpSource(srv, {
          lessonId: lesson.id,
          as: { classroomId },
          video: { size: '640x360', fps: 20, bitrate: '500k', gop: 40 },
          audio: true,
          maxSeconds: SECONDS * 2 + 60,
        }),
      );
    }
    const live = srv.live(lesson.id)!;
    const workerPid = () => live.currentMedia!.slot.worker.pid!;
    const rec = () => srv.web.recordings.recordingOf(lesson.id)!;
    await sleep(3_000);

    log(`window A: ${K} classrooms, recording paused, ${SECONDS} s`);
    const a = await measure(() => [workerPid()], SECONDS);

    await teacher.ok('recording:resume', {});
    await waitFor(() => rec().runs().length === 2 * K && rec().runs().every((r) => r.pid), 15_000, 'all recorders');
    await sleep(5_000); // past the recorders' start-up (probing)
    log(`window B: ${K} classrooms, recording, ${SECONDS} s`);
    const recorderPids = () => rec().runs().map((r) => r.pid!).filter(Boolean);
    const [bWorker, bRec] = await Promise.all([measure(() => [workerPid()], SECONDS), measure(recorderPids, SECONDS)]);
    if (bRec.pids !== 2 * K) throw new Error(`expected ${2 * K} recorders for the whole window, saw ${bRec.pids}`);

    const workerDelta = (bWorker.cpu - a.cpu) / SECONDS;
    const recorders = bRec.cpu / SECONDS;
    const perClassroom = (Math.max(0, workerDelta) + recorders) / K;
    const result = {
      metrics: { capture_cores_per_classroom: { value: round(perClassroom, 4), unit: 'cores', target: `<= ${TARGET}`, met: perClassroom <= TARGET } },
      detail: {
        classrooms: K,
        window_s: SECONDS,
        recorder_processes: bRec.pids,
        recorders_cores: round(recorders, 4),
        worker_cores_paused: round(a.cpu / SECONDS, 4),
        worker_cores_recording: round(bWorker.cpu / SECONDS, 4),
        camera: 'VP8 640x360 20 fps ~500 kbit/s (pre-encoded clip) + Opus 48 kbit/s, over loopback RTP',
      },
    };
    log(JSON.stringify(result, null, 2));
    writeResult(NAME, result);
    updateDocRow({
      benchmark: NAME,
      figures: `**${round(perClassroom, 4)} cores** per recorded classroom (camera + mic; ${K} classrooms, ${SECONDS} s; recorders ${round(recorders, 4)} + worker delta ${round(workerDelta, 4)} cores in all) — ${perClassroom <= TARGET ? 'meets' : 'MISSES'} target (load ${LOAD_AT_START} at start)`,
      target: `≤ ${TARGET} core per classroom while recording, without processing`,
    });
  } finally {
    for (const s of sources) await s.close().catch(() => undefined);
    await srv.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
