// Benchmark: a rural projector behind a poor link — 1 Mbit/s down, 300 kbit/s up, 60 ms
// one-way delay and 1 % loss each way — receiving a live lesson for a minute.
//
// The link is made on this machine only: a network namespace (`tbrural`) whose one
// interface is a TUN device, joined to a TUN device on the host by tests/bench/linkemu.py
// (delay + random loss, in user space: this kernel has no sch_netem), with a tbf qdisc on the
// egress of each end for the rate (host end → downlink 1 Mbit/s, namespace end → uplink
// 300 kbit/s). Addresses 10.203.0.1/30 (host) ↔ 10.203.0.2/30 (namespace); nothing is routed
// anywhere else. The product server announces 10.203.0.1. The projector's Chromium runs inside
// the namespace (Playwright launches it through `ip netns exec`, talking to it over its
// --remote-debugging-pipe, so the control traffic does not cross the shaped link); the
// teacher's Chromium runs on the host, unshaped.
//
// Measured at the projector over MEASURE_S after WARMUP_S: teacher video fps (framesDecoded
// delta / s), audio concealment (concealedSamples / totalSamplesReceived deltas), and the
// projector's send-back bitrate (outbound-rtp bytesSent + headerBytesSent of its send
// transport, read from its RTCPeerConnections), plus IP-level link counters for reference.
//
//   npx tsx tests/bench/rural-link.ts [--measure=60] [--warmup=15]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ProductServer } from '../e2e/harness.js';
import { consumerStats, instrumentContext, launch, newContext, outboundBytes, outboundVideo, pcSummary, signIn, signInDevice, teachLive, type ConsumerStat } from './browser.js';
import { ROOT, CHROMIUM, freePort, log as blog, round, sleep, updateDocRow, writeResult } from './lib.js';

const NAME = 'rural-link';
const log = (...a: unknown[]) => blog(NAME, ...a);
const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const MEASURE_S = arg('measure', 60);
const WARMUP_S = arg('warmup', 15);
const SAMPLE_S = 5;

const NETNS = 'tbrural';
const HOST_DEV = 'tbrural0';
const NS_DEV = 'tbrural1';
const HOST_IP = '10.203.0.1';
const NS_IP = '10.203.0.2';
const LINK = {
  down_kbit: 1000,
  up_kbit: 300,
  delay_ms: 60,
  loss_pct: 1,
  /** tbf queue: packets wait at most this long before tail drop (a modest DSL/4G buffer). */
  queue_ms: 200,
};
const TARGETS = { fps: 15, audio_concealed_pct: 2, uplink_kbps: 300 };

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const shQuiet = (cmd: string, args: string[]) => {
  try {
    sh(cmd, args);
  } catch {
    /* already gone */
  }
};

class ShapedLink {
  private emu: ChildProcess | null = null;
  private dir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-rural-'));
  emuStats = '';

  async up(): Promise<void> {
    this.down(); // a previous run that died half-way
    sh('ip', ['netns', 'add', NETNS]);
    const emu = spawn('/usr/bin/python3', [path.join(ROOT, 'tests/bench/linkemu.py'), NETNS, HOST_DEV, NS_DEV, String(LINK.delay_ms), String(LINK.loss_pct)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.emu = emu;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error('linkemu did not start')), 10_000);
      emu.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('ready')) {
          clearTimeout(t);
          resolve();
        }
        if (out.includes('{')) this.emuStats = out.slice(out.indexOf('{')).trim();
      });
      emu.once('exit', (code) => reject(new Error(`linkemu exited (${code})`)));
    });
    sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', HOST_DEV]);
    sh('ip', ['link', 'set', HOST_DEV, 'up']);
    sh('ip', ['-n', NETNS, 'addr', 'add', `${NS_IP}/30`, 'dev', NS_DEV]);
    sh('ip', ['-n', NETNS, 'link', 'set', NS_DEV, 'up']);
    sh('ip', ['-n', NETNS, 'link', 'set', 'lo', 'up']);
    const tbf = (kbit: number) => {
      const burst = Math.max(3000, Math.round((kbit * 1000) / 8 / 100)); // ≥ 2 MTU, ~10 ms of rate
      return ['root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burst), 'latency', `${LINK.queue_ms}ms`];
    };
    sh('tc', ['qdisc', 'add', 'dev', HOST_DEV, ...tbf(LINK.down_kbit)]);
    sh('ip', ['netns', 'exec', NETNS, 'tc', 'qdisc', 'add', 'dev', NS_DEV, ...tbf(LINK.up_kbit)]);
  }

  /** Chromium started inside the namespace (Playwright passes its pipe fds straight through). */
  chromiumWrapper(): string {
    const file = path.join(this.dir, 'chromium-in-netns.sh');
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${NETNS} ${CHROMIUM} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  /** Host-side TUN counters: tx = downlink sent into the link, rx = uplink delivered out of it. */
  counters(): { down_bytes: number; up_bytes: number } {
    const read = (k: string) => Number(readFileSync(`/sys/class/net/${HOST_DEV}/statistics/${k}`, 'utf8'));
    return { down_bytes: read('tx_bytes'), up_bytes: read('rx_bytes') };
  }

  qdiscs(): string {
    try {
      return sh('tc', ['-s', 'qdisc', 'show', 'dev', HOST_DEV]) + sh('ip', ['netns', 'exec', NETNS, 'tc', '-s', 'qdisc', 'show', 'dev', NS_DEV]);
    } catch {
      return '';
    }
  }

  async stopEmu(): Promise<void> {
    const emu = this.emu;
    this.emu = null;
    if (!emu || emu.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        emu.kill('SIGKILL');
        resolve();
      }, 3000);
      emu.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      emu.kill('SIGTERM');
    });
  }

  down(): void {
    if (this.emu && this.emu.exitCode === null) this.emu.kill('SIGKILL');
    shQuiet('ip', ['netns', 'del', NETNS]); // TUN devices die with the emulator process
    shQuiet('ip', ['link', 'del', HOST_DEV]);
  }

  dispose(): void {
    this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Sample {
  t_s: number;
  video: ConsumerStat | undefined;
  audio: ConsumerStat | undefined;
  out: Awaited<ReturnType<typeof outboundBytes>>;
  link: { down_bytes: number; up_bytes: number };
}

async function sample(page: Page, link: ShapedLink, t0: number): Promise<Sample> {
  const stats = await consumerStats(page);
  return {
    t_s: (Date.now() - t0) / 1000,
    video: stats.find((s) => s.classroomId === null && s.kind === 'video' && s.source === 'camera'),
    audio: stats.find((s) => s.classroomId === null && s.kind === 'audio'),
    out: await outboundBytes(page),
    link: link.counters(),
  };
}

function rates(a: Sample, b: Sample) {
  const dt = b.t_s - a.t_s;
  const dv = (k: keyof ConsumerStat) => ((b.video?.[k] as number) ?? 0) - ((a.video?.[k] as number) ?? 0);
  const da = (k: keyof ConsumerStat) => ((b.audio?.[k] as number) ?? 0) - ((a.audio?.[k] as number) ?? 0);
  const samples = da('totalSamplesReceived');
  return {
    seconds: round(dt, 2),
    fps: round(dv('framesDecoded') / dt, 2),
    frame_width: b.video?.frameWidth ?? 0,
    video_packets_lost: dv('packetsLost'),
    video_packets_received: dv('packetsReceived'),
    audio_concealed_pct: samples > 0 ? round((da('concealedSamples') / samples) * 100, 3) : null,
    audio_packets_lost: da('packetsLost'),
    uplink_kbps: round(((b.out.bytes + b.out.headerBytes - a.out.bytes - a.out.headerBytes) * 8) / dt / 1000, 1),
    uplink_video_kbps: round((((b.out.byKind.video ?? 0) - (a.out.byKind.video ?? 0)) * 8) / dt / 1000, 1),
    uplink_audio_kbps: round((((b.out.byKind.audio ?? 0) - (a.out.byKind.audio ?? 0)) * 8) / dt / 1000, 1),
    uplink_ip_kbps: round(((b.link.up_bytes - a.link.up_bytes) * 8) / dt / 1000, 1),
    downlink_ip_kbps: round(((b.link.down_bytes - a.link.down_bytes) * 8) / dt / 1000, 1),
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('rural-link needs root (ip netns, tc, /dev/net/tun)');
  if (!process.env.MEDIASOUP_WORKER_BIN) {
    process.env.MEDIASOUP_WORKER_BIN = execFileSync('bash', [path.join(ROOT, 'infra/mediasoup/build-worker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  }
  const link = new ShapedLink();
  const port = await freePort();
  process.env.TONGBU_ANNOUNCED_IP = HOST_IP;
  const server = new ProductServer(port);
  const browsers: Browser[] = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const b of browsers) await b.close().catch(() => undefined);
    await server.dispose().catch(() => undefined);
    await link.stopEmu();
    link.dispose();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  }
  try {
    log(`shaping: ${LINK.down_kbit} kbit/s down, ${LINK.up_kbit} kbit/s up, ${LINK.delay_ms} ms one way, ${LINK.loss_pct} % loss each way`);
    await link.up();
    log('starting the product server (announcing', HOST_IP + ')');
    await server.start();
    const demo = server.demo();

    const hostBrowser = await launch();
    browsers.push(hostBrowser);
    const teacherCtx = await newContext(hostBrowser, server.url);
    await instrumentContext(teacherCtx);
    const teacher = await teacherCtx.newPage();
    await signIn(teacher, 'teacher-wang', demo.password);
    await teachLive(teacher, demo.lessonId);
    log('teacher live and publishing (host, unshaped)');

    // http://10.203.0.1 is not a secure context: no navigator.userAgentData (mediasoup-client then
    // throws "device not supported") and no getUserMedia. A school would serve HTTPS; here the
    // origin is declared secure instead.
    const origin = `http://${HOST_IP}:${port}`;
    const nsBrowser = await launch(link.chromiumWrapper(), [`--unsafely-treat-insecure-origin-as-secure=${origin}`]);
    browsers.push(nsBrowser);
    const ctx = await newContext(nsBrowser, origin);
    await instrumentContext(ctx);
    const page = await ctx.newPage();
    const consoleLog: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') consoleLog.push(`${m.type()}: ${m.text()}`.slice(0, 500));
    });
    const joinStart = Date.now();
    await signInDevice(page, demo.deviceCodes[0].code);
    await page.getByTestId('projector-page').waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const v = (await consumerStats(page)).find((s) => s.classroomId === null && s.kind === 'video');
      if (v && v.framesDecoded > 0) break;
      if (Date.now() > deadline) {
        const diag = {
          state: await page.evaluate(() => window.__tongbu!.state()),
          stats: await consumerStats(page),
          pcs: await pcSummary(page),
          events: await page.evaluate(() => (window as unknown as { __bench: { events: unknown[] } }).__bench.events),
          qdiscs: link.qdiscs(),
          console: consoleLog.slice(-20),
        };
        throw new Error(`the projector never decoded teacher video:\n${JSON.stringify(diag, null, 1)}`);
      }
      await sleep(250);
    }
    const firstFrameS = round((Date.now() - joinStart) / 1000, 1);
    log(`projector (in ${NETNS}) decoding teacher video ${firstFrameS} s after opening the login page; warming up ${WARMUP_S} s`);
    await sleep(WARMUP_S * 1000);

    const t0 = Date.now();
    const samples: Sample[] = [await sample(page, link, t0)];
    const teacherOut: Record<string, unknown>[][] = [];
    while (samples[samples.length - 1].t_s < MEASURE_S - 0.5) {
      await sleep(SAMPLE_S * 1000 - ((Date.now() - t0) % (SAMPLE_S * 1000)));
      samples.push(await sample(page, link, t0));
      teacherOut.push(await outboundVideo(teacher));
      const r = rates(samples[samples.length - 2], samples[samples.length - 1]);
      log(
        `t=${round(samples[samples.length - 1].t_s, 0)} s: ${r.fps} fps @ ${r.frame_width} px, audio concealed ${r.audio_concealed_pct} %, ` +
          `send-back ${r.uplink_kbps} kbit/s (video ${r.uplink_video_kbps}, audio ${r.uplink_audio_kbps}; IP ${r.uplink_ip_kbps}), down IP ${r.downlink_ip_kbps} kbit/s`,
      );
    }
    const total = rates(samples[0], samples[samples.length - 1]);
    const series = samples.slice(1).map((s, i) => ({ t_s: round(s.t_s, 1), ...rates(samples[i], s) }));
    const projectorOut = await outboundVideo(page);
    const qdiscs = link.qdiscs();
    await link.stopEmu();

    const met = {
      fps: total.fps >= TARGETS.fps,
      audio_concealed_pct: (total.audio_concealed_pct ?? 100) < TARGETS.audio_concealed_pct,
      uplink_kbps: total.uplink_kbps <= TARGETS.uplink_kbps,
    };
    const widths = series.map((s) => s.frame_width);
    const detail = {
      link: { ...LINK, emulation: 'TUN pair + user-space delay/loss (tests/bench/linkemu.py) + tbf rate on each egress; this kernel has no sch_netem' },
      window_s: total.seconds,
      warmup_s: WARMUP_S,
      first_frame_after_login_s: firstFrameS,
      totals: total,
      teacher_frame_widths_seen: [...new Set(widths)],
      series,
      teacher_outbound_video_last: teacherOut[teacherOut.length - 1] ?? null,
      projector_outbound_video_last: projectorOut,
      linkemu_counters: link.emuStats ? JSON.parse(link.emuStats) : null,
      qdiscs,
    };
    // No audio samples at all: concealment was not measured, and no figure stands in for it.
    if (total.audio_concealed_pct === null) throw new Error(`the projector received no audio: ${JSON.stringify(detail)}`);
    const file = writeResult(NAME, {
      metrics: {
        fps: { value: total.fps, unit: 'fps', target: `>= ${TARGETS.fps}`, met: met.fps },
        audio_concealed_pct: { value: total.audio_concealed_pct, unit: '%', target: `< ${TARGETS.audio_concealed_pct}`, met: met.audio_concealed_pct },
        uplink_kbps: { value: total.uplink_kbps, unit: 'kbit/s', target: `<= ${TARGETS.uplink_kbps}`, met: met.uplink_kbps },
      },
      detail,
    });
    const ok = (b: boolean) => (b ? '' : ' ✗');
    updateDocRow({
      benchmark: NAME,
      figures:
        `teacher video **${total.fps} fps**${ok(met.fps)} (${[...new Set(widths)].join('/')} px wide), audio concealed **${total.audio_concealed_pct} %**${ok(met.audio_concealed_pct)}, ` +
        `send-back **${total.uplink_kbps} kbit/s**${ok(met.uplink_kbps)} (RTP; ${total.uplink_ip_kbps} kbit/s at IP level) over ${round(total.seconds, 0)} s — ` +
        `${met.fps && met.audio_concealed_pct && met.uplink_kbps ? 'meets' : 'MISSES'} target`,
      target: `≥ ${TARGETS.fps} fps, concealed < ${TARGETS.audio_concealed_pct} %, send-back ≤ ${TARGETS.uplink_kbps} kbit/s (1 Mbit/s down, 300 kbit/s up, 60 ms, 1 % loss)`,
    });
    log(`wrote ${path.relative(ROOT, file)}: ${total.fps} fps, concealed ${total.audio_concealed_pct} %, send-back ${total.uplink_kbps} kbit/s`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
