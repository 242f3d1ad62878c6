// "No client reconnects because the server was busy" (issue 10): a recording lesson (teacher and
// two classrooms sending RTP, every track recorded by ffmpeg) runs while stress-ng burns every
// core; browser-like clients in a process of their own (the real socket.io client with the
// browser's options, live and plan sockets) must see no disconnect at all. On top of the plain
// saturation (whose event-loop stalls are measured and reported), the two stalls a saturated
// machine produces at its worst: the browsers' process gets no CPU for 22 s (its pongs come that
// late), and the server's event loop does not run for 22 s (its pings come that late). The old
// heartbeat (10 s to answer a ping) dropped every client on either; see server/live/heartbeat.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import readline from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, waitFor, type LiveTestServer } from '../helpers/liveServer.js';
import { startRtpSource, type RtpSource } from '../helpers/rtpSource.js';
import { tracksOf } from './recording.helpers.js';

const STRESS_S = Number(process.env.TONGBU_HB_STRESS_S ?? 75);
const STALL_S = 22;

let srv: LiveTestServer;
const sources: RtpSource[] = [];
let clients: ChildProcess | null = null;

beforeAll(async () => {
  srv = await startLiveServer({
    env: { TONGBU_RECORDING_SEGMENT_S: '2' },
  });
}, 120_000);

afterAll(async () => {
  clients?.stdin?.end();
  for (const s of sources) await s.close().catch(() => undefined);
  await srv?.close();
});

interface ClientLine {
  ev: 'connect' | 'disconnect' | 'connect_error';
  name: string;
  reason?: string;
  at: number;
}

describe('heartbeat under load', () => {
  it(`keeps every client connected through ${STRESS_S} s of stress-ng on every core while a lesson records`, async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan, srv.classrooms.shiqiao]);
    const teacher = await startRtpSource(srv, { lessonId: lesson.id, as: 'teacher', video: true, audio: true });
    sources.push(teacher);
    await teacher.client.ok('lesson:start', {});
    for (const classroomId of [srv.classrooms.qingshan, srv.classrooms.shiqiao]) {
      sources.push(await startRtpSource(srv, { lessonId: lesson.id, as: { classroomId }, video: true, audio: true }));
    }
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 6, 30_000, 'six recorded tracks');

    // The watchers: observers' browsers, each with live sockets and a plan editor.
    const cookies = await Promise.all(['researcher-zhao', 'teacher-li', 'admin', 'city-admin'].map((u) => srv.cookieFor(u)));
    const per = 3;
    clients = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/heartbeatClients.ts'], {
      env: { ...process.env, TONGBU_HB_URL: srv.url, TONGBU_HB_COOKIES: JSON.stringify(cookies), TONGBU_HB_PER: String(per) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: ClientLine[] = [];
    readline.createInterface({ input: clients.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as ClientLine));
    const total = cookies.length * (per + 1);
    await waitFor(() => lines.filter((l) => l.ev === 'connect').length >= total, 30_000, `${total} client sockets connected`);
    const inProcess: string[] = [];
    for (const s of sources) s.client.socket.on('disconnect', (reason) => inProcess.push(`${s.client.label}: ${reason}`));

    // The server's own view of its event loop during the run.
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    let lastTick = Date.now();
    let worstGapMs = 0;
    const ticker = setInterval(() => {
      const now = Date.now();
      worstGapMs = Math.max(worstGapMs, now - lastTick);
      lastTick = now;
    }, 100);

    const startedAt = Date.now();
    const stress = spawn('stress-ng', ['--cpu', String(os.availableParallelism()), '--timeout', `${STRESS_S}s`, '--quiet'], { stdio: 'ignore' });
    const stressEnded = new Promise<number | null>((resolve) => stress.once('exit', (code) => resolve(code)));
    let saturated = '';
    const at = (s: number) => new Promise((r) => setTimeout(r, Math.max(0, startedAt + s * 1000 - Date.now())));
    try {
      // A starved browser: its process does not run at all for 22 s, then goes on.
      await at(10);
      process.kill(clients.pid!, 'SIGSTOP');
      await at(10 + STALL_S);
      process.kill(clients.pid!, 'SIGCONT');
      // A busy server: its event loop does not turn for 22 s (blocked, as by a long synchronous task).
      await at(STRESS_S / 2 + 5);
      saturated = `saturation alone (first ${((Date.now() - startedAt) / 1000).toFixed(0)} s): event loop p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms, worst 100-ms tick gap ${worstGapMs} ms`;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_S * 1000);
      expect(await stressEnded).toBe(0);
    } finally {
      if (clients.pid) process.kill(clients.pid, 'SIGCONT');
      stress.kill('SIGKILL');
      clearInterval(ticker);
      loop.disable();
    }
    const ranS = (Date.now() - startedAt) / 1000;
    const report = `ran ${ranS.toFixed(0)} s; ${saturated}; whole run with the deliberate stall: event loop p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms, worst 100-ms tick gap ${worstGapMs} ms`;
    console.log(`[heartbeat-under-load] ${report}`);

    // The lesson is still live and the clients are all there, with not one disconnect meanwhile.
    const drops = lines.filter((l) => l.ev !== 'connect').map((l) => `${l.name} ${l.ev} (${l.reason}) at +${((l.at - startedAt) / 1000).toFixed(1)} s`);
    expect([...drops, ...inProcess], report).toEqual([]);
    expect((await teacher.client.ok('chat:send', { text: '还在' })).text).toBe('还在');
  }, (STRESS_S + 150) * 1000);
});
