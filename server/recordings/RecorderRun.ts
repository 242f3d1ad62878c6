// One recorder process for one producer: a mediasoup PlainTransport consumer sends RTP to
// ffmpeg on loopback, ffmpeg copies it (no re-encoding) into short WebM segments.
// A run ends when it is stopped, when its producer or router goes, or when ffmpeg dies;
// the track (LessonRecording) then decides whether to start another run.
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import { probeDuration, startMediaProcess, type MediaExit, type MediaProcess } from '../../media/process.js';
import { ffmpegError } from '../../media/ffmpegLog.js';
import { logger } from '../contract/log.js';
import { boundUdpPorts, type PortPool } from './ports.js';
import { recorderCapabilities, recorderSdp } from './sdp.js';
import { recorderLossKeyFrames, recorderRuns } from './captureMetrics.js';
import { fileNumber, recPaths } from '../contract/recordingPaths.js';
import { backoffDelay } from '../contract/backoff.js';

const log = logger('recordings.run');

/**
 * How long ffmpeg may take to bind its ports. Not a tight deadline: a saturated machine can
 * take many seconds to start a process, and giving up early only loses more of the lesson
 * (and retries, which costs more CPU). Only a recorder that never binds is given up on.
 */
const BIND_TIMEOUT_MS = 60_000;
/** Key frames after ffmpeg has bound its ports: at once and again a little later (the first may be lost). */
const KEYFRAME_AFTER_BIND_MS = [0, 1_500, 4_000];
/** ffmpeg ends by itself (cleanly) after this long without any RTP/RTCP packet: its consumer is gone, or it is an orphan. */
const IDLE_TIMEOUT_S = 5;
/**
 * An armed recorder's keep-alive: while its consumer is paused (the lesson is not live yet)
 * nothing reaches ffmpeg, which would give up after IDLE_TIMEOUT_S. An empty RTCP receiver
 * report (RFC 3550 §6.4.2, no report blocks) on its RTCP port counts as traffic for ffmpeg's
 * read timeout and is otherwise ignored by its RTP demuxer (it only parses SR and BYE).
 */
const KEEPALIVE_MS = 1_000;
/** A remux of a cut-off segment takes a second; one that hangs (a wedged disk) is given up. */
const SALVAGE_TIMEOUT_MS = 60_000;
const EMPTY_RR = Buffer.from([0x80, 0xc9, 0x00, 0x01, 0x54, 0x42, 0x4b, 0x41]);

export interface SegmentInfo {
  seq: number;
  /** Relative to the data folder. */
  relPath: string;
  startMs: number;
  endMs: number;
  bytes: number;
  state: 'closed' | 'corrupt';
}

export type RunEnd =
  | { kind: 'stopped' }
  | { kind: 'source-gone' }
  /** No RTP/RTCP packet for a while (the consumer stopped sending): ffmpeg closed its files and ended. */
  | { kind: 'idle' }
  | { kind: 'died'; enospc: boolean; detail: string; stalled?: boolean };

interface RunEvents {
  /** The first packet reached ffmpeg at this lesson-clock time. */
  started: [baseMs: number];
  /** ffmpeg started a new segment file. */
  opened: [seq: number, relPath: string, startMs: number];
  closed: [seg: SegmentInfo];
  ended: [end: RunEnd, lastMediaMs: number | null];
}

export interface RunOptions {
  router: types.Router;
  producer: types.Producer<ProducerMeta>;
  dataDir: string;
  /** Track folder relative to the data folder. */
  trackDir: string;
  firstSeq: number;
  runNo: number;
  segmentMs: number;
  ports: PortPool;
  /** Now on the lesson clock (ms). */
  clock: () => number;
  /** True while routine key-frame requests should wait (a browser's first frame is due). */
  keyFramesHeld?: () => boolean;
  /**
   * Armed: the run gets everything ready (transport, paused consumer, ffmpeg listening) and
   * waits for go(). Recorders of producers published before the lesson goes live are armed,
   * so that the recording starts at the lesson's first instant instead of a process start
   * later (seconds on a loaded machine).
   */
  armed?: boolean;
}

export class RecorderRun extends EventEmitter<RunEvents> {
  /** Lesson-clock time of the first packet given to ffmpeg (its time zero). */
  baseMs: number | null = null;
  codec = '';
  /** How late the first packet's trace event reached this process (ms; logged: a loaded machine shows here). */
  firstPacketLagMs = 0;
  private ffmpeg: MediaProcess | null = null;
  private transport: types.PlainTransport | null = null;
  private consumer: types.Consumer | null = null;
  private port: number | null = null;
  private timers: NodeJS.Timeout[] = [];
  private listed = 0;
  private nextSeq: number;
  private openSeq: number | null = null;
  private lastEndRel = 0;
  private lossKeyFrameAt = 0;
  private ending: RunEnd | null = null;
  private done: Promise<void> | null = null;
  private polling = Promise.resolve();
  private endedEmitted = false;
  private resolveFinished!: () => void;
  /**
   * Settles once 'ended' was emitted, whatever the way the run ended (also when it never got
   * as far as spawning ffmpeg): whoever replaces this run waits for exactly this.
   */
  readonly finished = new Promise<void>((r) => (this.resolveFinished = r));
  private release!: () => void;
  /** Settles at go() (or when the run ends first); an unarmed run is released from the start. */
  private readonly released = new Promise<void>((r) => (this.release = r));
  private keepAlive: dgram.Socket | null = null;
  /** Where this run is counted in the tongbu_recorder_runs gauge. */
  private counted: 'armed' | 'recording' | null = null;

  constructor(private readonly o: RunOptions) {
    super();
    this.nextSeq = o.firstSeq;
    if (!o.armed) this.release();
  }

  /** An armed run starts recording now (at once if it is still getting ready: it goes on when ready). */
  go(): void {
    this.release();
  }

  get producer(): types.Producer<ProducerMeta> {
    return this.o.producer;
  }

  private emitEnded(end: RunEnd, lastMediaMs: number | null): void {
    if (this.endedEmitted) return;
    this.endedEmitted = true;
    this.ending = end;
    this.release();
    this.stopKeepAlive();
    this.count(null);
    try {
      this.emit('ended', end, lastMediaMs);
    } finally {
      this.resolveFinished();
    }
  }

  /** Never throws: a run that cannot start ends (with the reason) like any other run. */
  async start(): Promise<void> {
    try {
      await this.startInner();
    } catch (err) {
      await this.failStart(err);
    }
  }

  private async failStart(err: unknown): Promise<void> {
    const producerGone = this.o.producer.closed || /Producer not found|closed/i.test(String(err));
    const why: RunEnd = this.ending ?? (producerGone
      ? { kind: 'source-gone' }
      : { kind: 'died', enospc: /ENOSPC|No space left/i.test(String(err)), detail: `recorder could not start: ${errorText(err)}` });
    this.ending = why;
    const child = this.ffmpeg;
    if (child && this.done) {
      // ffmpeg was spawned: its exit does the bookkeeping (and emits 'ended').
      child.kill();
      await this.done;
      return;
    }
    this.abortBeforeSpawn();
  }

  get pid(): number | undefined {
    return this.ffmpeg?.pid;
  }

  get seqAfter(): number {
    return this.nextSeq;
  }

  private abs(rel: string): string {
    return path.join(this.o.dataDir, rel);
  }

  private segRel(seq: number): string {
    return recPaths.segment(this.o.trackDir, seq);
  }

  private async startInner(): Promise<void> {
    const { router, producer } = this.o;
    if (producer.closed) throw new Error('Producer not found (closed before its recorder started)');
    await mkdir(this.abs(this.o.trackDir), { recursive: true });
    this.transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
    });
    const consumer = await this.transport.consume({
      producerId: producer.id,
      rtpCapabilities: recorderCapabilities(router, producer.kind),
      paused: true,
    });
    this.consumer = consumer;
    this.codec = consumer.rtpParameters.codecs[0].mimeType.split('/')[1] ?? '';
    consumer.on('producerclose', () => this.end({ kind: 'source-gone' }));
    consumer.on('transportclose', () => this.end({ kind: 'source-gone' }));
    if (consumer.kind === 'video') {
      // Video that stalled (producer paused, layer switch) restarts on a key frame.
      consumer.on('producerresume', () => this.keyFrame());
      consumer.on('layerschange', () => this.keyFrame());
    }

    if (this.ending) return this.abortBeforeSpawn();
    this.port = await this.o.ports.take();
    if (this.ending) return this.abortBeforeSpawn();
    const sdpRel = recPaths.runSdp(this.o.trackDir, this.o.runNo);
    const listRel = recPaths.runList(this.o.trackDir, this.o.runNo);
    await writeFile(this.abs(sdpRel), recorderSdp(consumer, this.port));
    if (this.ending) return this.abortBeforeSpawn();
    const args = [
      '-nostdin', '-hide_banner', '-loglevel', 'warning',
      '-protocol_whitelist', 'file,udp,rtp',
      '-analyzeduration', '3000000', '-probesize', '2000000',
      // A loaded machine: a 4 MB socket buffer (the kernel caps it at net.core.rmem_max) rides
      // out a recorder starved for seconds, and a 0.5 s reorder window (default 0.1 s) takes in
      // retransmissions the SFU repaired late — each packet lost here is a hole until a key frame.
      '-buffer_size', String(4 << 20), '-max_delay', '500000',
      '-listen_timeout', String(IDLE_TIMEOUT_S),
      '-i', this.abs(sdpRel),
      '-map', '0', '-c', 'copy',
      '-f', 'segment', '-segment_format', 'webm',
      '-segment_time', String(this.o.segmentMs / 1000),
      // Clusters of ≤ 1 s, flushed as written: a killed recorder loses about a second.
      '-segment_format_options', 'cluster_time_limit=1000:flush_packets=1',
      '-segment_list', this.abs(listRel), '-segment_list_type', 'csv',
      '-segment_start_number', String(this.o.firstSeq),
      '-reset_timestamps', '1',
      '-y', this.abs(recPaths.segmentPattern(this.o.trackDir)),
    ];
    // A recorder (nice 0, pdeathsig SIGTERM: a web process that is SIGKILLed or force-exited
    // takes its recorders with it, and ffmpeg still closes the segment it is writing).
    const child = startMediaProcess('ffmpeg', args, {
      role: 'recorder',
      keepStderr: 2000,
      onStderr: (d) => {
        if (consumer.kind === 'video' && lostPackets(d)) this.repairAfterLoss();
      },
    });
    this.ffmpeg = child;
    this.done = child.exited.then((x) => this.onExit(x, listRel));

    // Only once ffmpeg listens does media flow: a key frame sent earlier would be lost.
    await this.waitBound(child);
    if (this.ending || consumer.closed || !child.running) return;
    await this.transport.connect({ ip: '127.0.0.1', port: this.port, rtcpPort: this.port + 1 });
    consumer.on('trace', (trace) => {
      if (this.baseMs !== null) return;
      // When the worker sent the first packet, not when its event got here: on a loaded
      // machine the event can come a second late, and the track would claim to start later
      // than its media does. The worker's clock is uv_hrtime (CLOCK_MONOTONIC), as is Node's.
      const lagMs = Math.max(0, Number(process.hrtime.bigint() / 1_000_000n) - trace.timestamp);
      this.firstPacketLagMs = lagMs < 10_000 ? lagMs : 0;
      this.baseMs = this.o.clock() - this.firstPacketLagMs;
      if (!this.endedEmitted) this.count('recording');
      void consumer.enableTraceEvent([]).catch(() => undefined);
      this.emit('started', this.baseMs);
    });
    await consumer.enableTraceEvent(['rtp']);
    if (this.o.armed) {
      this.startKeepAlive(this.port);
      this.count('armed');
      await this.released;
      this.stopKeepAlive();
      this.count(null);
      if (this.ending || consumer.closed || !child.running) return;
    }
    await consumer.resume();
    if (consumer.kind === 'video') {
      for (const ms of KEYFRAME_AFTER_BIND_MS) this.timers.push(setTimeout(() => this.keyFrame(), ms));
      // One key frame per segment, so the segment muxer can cut on time; unless a joining
      // browser's first frame is due: its key frame comes soon and cuts the segment too.
      this.timers.push(setInterval(() => this.o.keyFramesHeld?.() || this.keyFrame(), this.o.segmentMs));
    }
    this.timers.push(setInterval(() => void this.poll(listRel), 500));
    this.timers.push(setInterval(() => void this.watch().catch((err) => log.warn('recorder watchdog check failed', { producerId: producer.id, err })), this.o.segmentMs));
  }

  private count(state: 'armed' | 'recording' | null): void {
    if (this.counted) recorderRuns.dec({ state: this.counted });
    if (state) recorderRuns.inc({ state });
    this.counted = state;
  }

  private startKeepAlive(port: number): void {
    const sock = dgram.createSocket('udp4');
    // ffmpeg may answer with reports of its own; nothing here needs them.
    sock.on('message', () => undefined);
    sock.on('error', (err) => log.warn('recorder keep-alive failed', { producerId: this.o.producer.id, err }));
    const send = () => sock.send(EMPTY_RR, port + 1, '127.0.0.1', () => undefined);
    send();
    const t = setInterval(send, KEEPALIVE_MS);
    sock.once('close', () => clearInterval(t));
    this.keepAlive = sock;
  }

  private stopKeepAlive(): void {
    const sock = this.keepAlive;
    this.keepAlive = null;
    try {
      sock?.close();
    } catch {
      // already closed
    }
  }

  private async waitBound(child: MediaProcess): Promise<void> {
    const deadline = Date.now() + BIND_TIMEOUT_MS;
    // Quick at first (an idle machine binds in tens of ms), then backing off: polling /proc
    // every 20 ms for a minute would itself load a saturated machine.
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      if (!child.running || this.ending) return;
      const bound = await boundUdpPorts();
      if (bound.has(this.port!) && bound.has(this.port! + 1)) return;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, { baseMs: 20, maxMs: 100, jitter: 0 })));
    }
    throw new Error(`recorder did not bind its ports within ${BIND_TIMEOUT_MS / 1000} s`);
  }

  private lastProgress = { written: -1, at: Date.now(), sourceBytes: -1 };

  /**
   * The watchdog: a recorder whose source is live (the producer keeps receiving) but that
   * has written nothing for two segment lengths is stuck (starved, wedged on a socket, …).
   * It is killed (it would not heed SIGINT) and ends as died, so the track restarts it.
   */
  private async watch(): Promise<void> {
    if (this.ending || this.baseMs === null) return;
    const open = await stat(this.abs(this.segRel(this.nextSeq))).catch(() => null);
    const written = this.listed * 1e12 + (open?.size ?? 0);
    const stats = await this.o.producer.getStats().catch(() => []);
    const sourceBytes = stats.reduce((n, s) => n + (s.byteCount ?? 0), 0);
    const now = Date.now();
    const p = this.lastProgress;
    const sourceLive = !this.o.producer.paused && p.sourceBytes >= 0 && sourceBytes > p.sourceBytes;
    if (written !== p.written || !sourceLive) {
      this.lastProgress = { written, at: now, sourceBytes };
      return;
    }
    this.lastProgress.sourceBytes = sourceBytes;
    if (now - p.at < 2 * this.o.segmentMs) return;
    const detail = `watchdog: nothing written for ${Math.round((now - p.at) / 1000)} s while the source was live; ${this.errorTail}`;
    this.ending = { kind: 'died', enospc: false, detail, stalled: true };
    this.ffmpeg?.kill();
  }

  /**
   * ffmpeg lost RTP packets (a starved recorder's socket overflowed, a retransmission came after
   * its reorder window): its VP8/H.264 depacketizer now drops every frame until a key frame, so
   * ask for one at once rather than waiting for the next segment's (a hole of up to a segment).
   * At most one per 500 ms: the browser honours one request per 300 ms anyway.
   */
  private repairAfterLoss(): void {
    const now = Date.now();
    if (now - this.lossKeyFrameAt < 500 || this.o.keyFramesHeld?.()) return;
    this.lossKeyFrameAt = now;
    recorderLossKeyFrames.inc();
    this.keyFrame();
  }

  private keyFrame(): void {
    const c = this.consumer;
    if (c && !c.closed) void c.requestKeyFrame().catch(() => undefined);
  }

  /** Segment bookkeeping from ffmpeg's list (closed ones) and the folder (the open one). */
  private poll(listRel: string): Promise<void> {
    this.polling = this.polling.then(async () => {
      const base = this.baseMs;
      if (base === null) return;
      const text = await readFile(this.abs(listRel), 'utf8').catch(() => '');
      const lines = text.split('\n').filter((l) => l.trim());
      for (; this.listed < lines.length; this.listed++) {
        const [file, start, end] = lines[this.listed].split(',');
        const seq = fileNumber(file ?? '');
        if (seq === null) continue;
        const relPath = this.segRel(seq);
        const bytes = (await stat(this.abs(relPath)).catch(() => null))?.size ?? 0;
        this.lastEndRel = Number(end) * 1000;
        this.nextSeq = Math.max(this.nextSeq, seq + 1);
        if (this.openSeq === seq) this.openSeq = null;
        this.emit('closed', {
          seq,
          relPath,
          startMs: Math.round(base + Number(start) * 1000),
          endMs: Math.round(base + Number(end) * 1000),
          bytes,
          state: bytes > 0 ? 'closed' : 'corrupt',
        });
      }
      const candidate = this.nextSeq;
      if (this.openSeq !== candidate && (await stat(this.abs(this.segRel(candidate))).catch(() => null))) {
        this.openSeq = candidate;
        this.emit('opened', candidate, this.segRel(candidate), Math.round(base + this.lastEndRel));
      }
    }).catch((err) => log.error('segment list poll failed', { err })); // a rejected chain would stop every later poll
    return this.polling;
  }

  private async onExit(x: MediaExit, listRel: string): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.poll(listRel);
    let lastMediaMs = this.baseMs === null ? null : this.baseMs + this.lastEndRel;
    // A killed ffmpeg leaves its open segment unlisted and unfinished: save what it holds.
    if (this.baseMs !== null) {
      const seq = this.nextSeq;
      const relPath = this.segRel(seq);
      const st = await stat(this.abs(relPath)).catch(() => null);
      if (st) {
        const duration = await salvage(this.abs(relPath));
        const startMs = Math.round(this.baseMs + this.lastEndRel);
        const endMs = duration === null ? startMs : Math.round(startMs + duration * 1000);
        const bytes = (await stat(this.abs(relPath)).catch(() => null))?.size ?? st.size;
        this.nextSeq = seq + 1;
        if (duration !== null) lastMediaMs = endMs;
        this.emit('closed', { seq, relPath, startMs, endMs, bytes, state: duration === null ? 'corrupt' : 'closed' });
      }
    }
    // Decided before the transport closes (closing it reports the consumer's transport gone).
    const idle = x.code === 0 && /timed out/i.test(x.stderr);
    const end: RunEnd = this.ending ?? (idle ? { kind: 'idle' } : {
      kind: 'died',
      enospc: /No space left on device|ENOSPC/i.test(x.stderr),
      detail: `ffmpeg exited (${x.signal ?? x.code}): ${ffmpegError(x.stderr)}`,
    });
    this.ending = end;
    if (this.port !== null) this.o.ports.release(this.port);
    this.port = null;
    this.transport?.close();
    this.emitEnded(end, lastMediaMs);
  }

  /** ffmpeg's own last error lines (for logs of a failed run; never shown to users). */
  get errorTail(): string {
    return ffmpegError(this.ffmpeg?.stderr ?? '');
  }

  /** Ends the run: ffmpeg finishes its segment (SIGINT), then the consumer goes. Resolves when it has ('ended' emitted). */
  end(why: RunEnd = { kind: 'stopped' }): Promise<void> {
    if (this.ending) return this.finished;
    this.ending = why;
    // An armed run waiting for go() goes on to see that it is ending.
    this.release();
    // ffmpeg stops at SIGINT between packets; with none coming (the source is gone) its read
    // gives up after IDLE_TIMEOUT_S and it still closes the file properly. A second SIGINT would
    // interrupt the read but also the write of the last segment; SIGKILL if it hangs even so.
    if (this.ffmpeg?.running) void this.ffmpeg.stop('SIGINT', IDLE_TIMEOUT_S * 1000 + 4_000);
    // Before ffmpeg is spawned, start() sees `ending` and cleans up itself (and emits 'ended').
    return this.finished;
  }

  private abortBeforeSpawn(): void {
    if (this.port !== null) this.o.ports.release(this.port);
    this.port = null;
    const end = this.ending ?? { kind: 'stopped' };
    this.transport?.close();
    this.emitEnded(end, null);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A segment cut short by a killed recorder: remux what can be read into a well-formed WebM
 * in its place. Returns its duration (s), or null if nothing could be saved.
 */
export async function salvage(file: string): Promise<number | null> {
  const tmp = `${file}.salvage.webm`;
  const opts = { role: 'recorder', timeoutMs: SALVAGE_TIMEOUT_MS } as const;
  // Whatever ffmpeg's exit code (a cut-off input is an error to it): what it wrote is probed.
  const copy = await startMediaProcess('ffmpeg', ['-v', 'error', '-y', '-i', file, '-map', '0', '-c', 'copy', '-f', 'webm', tmp], opts).exited;
  const duration = copy.code !== null ? await probeDuration(tmp, undefined, 'recorder').catch(() => null) : null;
  if (duration !== null && duration > 0) {
    await rename(tmp, file);
    return duration;
  }
  await rm(tmp, { force: true });
  return null;
}

/** Whether a chunk of ffmpeg's stderr says RTP packets were lost or a frame was dropped for it. */
export function lostPackets(stderr: string): boolean {
  // "Packet corrupt" repeats for every frame after a loss until a key frame: asked again (at most every 500 ms) until one comes.
  return /RTP: missed \d+ packets|Received no start marker; dropping frame|max delay reached|Packet corrupt \(stream/.test(stderr);
}
