// A synthetic participant without a browser: ffmpeg encodes a test pattern (VP8) and a tone
// or a WAV file (Opus) and sends them as plain RTP into a mediasoup PlainTransport producer
// of a live lesson, as the teacher or as a classroom. Used by the recording tests and the
// recording / research benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MediaSource } from '../../server/contract/domain.js';
import type { LessonSnapshot } from '../../server/contract/events.js';
import { canProduce } from '../../server/live/policy.js';
import type { LiveTestServer, TestClient } from './liveServer.js';
import { waitFor } from './liveServer.js';

export interface RtpVideoOptions {
  source?: Extract<MediaSource, 'camera' | 'screen'>;
  /**
   * A VP8 WebM sent as it is (looped, no encoding at run time). Default: a moving test
   * pattern encoded once per machine (vp8Clip), so a busy machine cannot slow the source down.
   */
  file?: string;
  /** Encode this ffmpeg lavfi source live instead (costs CPU while sending). */
  lavfi?: string;
  size?: string;
  fps?: number;
  /** Key frame every this many frames (ffmpeg cannot answer a PLI). */
  gop?: number;
  bitrate?: string;
}

export interface RtpAudioOptions {
  /** A WAV (or any audio file ffmpeg reads) to send instead of a tone. */
  file?: string;
  /** Loop the file forever (default: once, then silence is not sent: the producer just stops). */
  loop?: boolean;
  /** Sine frequency when no file is given. */
  frequency?: number;
  /** ffmpeg lavfi source instead of the sine (e.g. 'anoisesrc=a=0.1'). */
  lavfi?: string;
  /** Opus bitrate (default 48k; a rural uplink's browser drops to 16k–24k). */
  bitrate?: string;
}

export interface RtpSourceOptions {
  lessonId?: string;
  /** Who sends: the lesson's teacher (by username, default teacher-wang) or a classroom device. */
  as: { teacher: string } | { classroomId: string } | 'teacher';
  /** An already connected client to reuse (it must not have joined another lesson). */
  client?: TestClient;
  video?: boolean | RtpVideoOptions;
  audio?: boolean | RtpAudioOptions;
  /** Wait for the SFU to receive the first packet of every stream (default true). */
  waitForMedia?: boolean;
  /** ffmpeg stops by itself after this long, so a crashed test leaves nothing running (default 600). */
  maxSeconds?: number;
}

export interface RtpStream {
  kind: 'audio' | 'video';
  source: MediaSource;
  producerId: string;
  transportId: string;
  /** Wall clock (ms) when the SFU received this stream's first RTP packet. */
  firstPacketAt: number | null;
  ffmpeg: ChildProcess;
  /** What the sender and the SFU say of this stream (for an error when it never arrives). */
  diagnose(): Promise<string>;
}

export interface RtpSource {
  client: TestClient;
  peerId: string;
  /** The lesson:join answer. */
  snap: LessonSnapshot;
  video?: RtpStream;
  audio?: RtpStream;
  /** Stops ffmpeg and closes the producers (the client stays in the lesson). */
  stop(): Promise<void>;
  /** stop() and leave the lesson (disconnects the client if this helper connected it). */
  close(): Promise<void>;
}

let ssrcSeq = 0x5a000000;

export async function startRtpSource(srv: LiveTestServer, opts: RtpSourceOptions): Promise<RtpSource> {
  const lessonId = opts.lessonId ?? srv.lessonId;
  const ownClient = !opts.client;
  let client = opts.client;
  let label: string;
  if (opts.as === 'teacher' || 'teacher' in opts.as) {
    const username = opts.as === 'teacher' ? 'teacher-wang' : opts.as.teacher;
    label = `rtp:${username}`;
    client ??= await srv.connect(await srv.cookieFor(username), label);
  } else {
    label = `rtp:${opts.as.classroomId}`;
    client ??= await srv.connect(await srv.deviceCookie(opts.as.classroomId), label);
  }
  const snap = await client.ok('lesson:join', { lessonId });
  const peerId = snap.self.peerId;
  const live = srv.live(lessonId);
  if (!live) throw new Error(`lesson ${lessonId} is not live on this server`);
  const out: RtpSource = {
    client,
    peerId,
    snap,
    stop: async () => {
      await Promise.all([out.video, out.audio].map((s) => (s ? stopStream(s) : undefined)));
      const media = live.currentMedia;
      for (const s of [out.video, out.audio]) {
        if (!s) continue;
        media?.peers.get(peerId)?.producers.get(s.producerId)?.close();
        media?.peers.get(peerId)?.plainTransports.get(s.transportId)?.close();
      }
    },
    close: async () => {
      await out.stop();
      if (ownClient) client.close();
      else await client.request('lesson:leave', {}).catch(() => undefined);
    },
  };

  const start = async (kind: 'audio' | 'video'): Promise<RtpStream> => {
    const v = typeof opts.video === 'object' ? opts.video : {};
    const a = typeof opts.audio === 'object' ? opts.audio : {};
    const source: MediaSource = kind === 'audio' ? 'mic' : (v.source ?? 'camera');
    if (!canProduce(snap.self.lessonRole, source)) throw new Error(`a ${snap.self.lessonRole} may not publish ${source}`);
    const media = await live.media();
    const ingest = await media.createPlainIngest(peerId);
    const ssrc = ++ssrcSeq;
    const payloadType = kind === 'audio' ? 100 : 101;
    const producer = await live.produce(peerId, {
      transportId: ingest.id,
      kind,
      source,
      rtpParameters:
        kind === 'audio'
          ? {
              codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 0 } }],
              encodings: [{ ssrc }],
              rtcp: { cname: `${label}-a` },
            }
          : {
              codecs: [
                {
                  mimeType: 'video/VP8',
                  payloadType,
                  clockRate: 90000,
                  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
                },
              ],
              encodings: [{ ssrc }],
              rtcp: { cname: `${label}-v` },
            },
    });
    const stream: RtpStream = { kind, source, producerId: producer.id, transportId: ingest.id, firstPacketAt: null, ffmpeg: null as unknown as ChildProcess, diagnose: async () => '' };
    // The moment the SFU sees the first packet: the truth that recording offsets are checked against.
    producer.on('trace', () => {
      if (stream.firstPacketAt !== null) return;
      stream.firstPacketAt = Date.now();
      void producer.enableTraceEvent([]).catch(() => undefined);
    });
    await producer.enableTraceEvent(['rtp']);

    const clip = kind === 'video' && !v.lavfi ? (v.file ?? (await vp8Clip({ size: v.size, fps: v.fps, gop: v.gop, bitrate: v.bitrate }))) : null;
    const input =
      kind === 'video'
        ? clip
          ? ['-re', '-stream_loop', '-1', '-i', clip]
          : ['-re', '-f', 'lavfi', '-i', v.lavfi!]
        : a.file
          ? ['-re', ...(a.loop ? ['-stream_loop', '-1'] : []), '-i', a.file]
          : ['-re', '-f', 'lavfi', '-i', a.lavfi ?? `sine=frequency=${a.frequency ?? 440}:sample_rate=48000`];
    const encode =
      kind === 'video' && clip
        ? ['-an', '-c:v', 'copy']
        : kind === 'video'
        ? ['-an', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', v.bitrate ?? '400k', '-g', String(v.gop ?? 30), '-pix_fmt', 'yuv420p']
        : ['-vn', '-c:a', 'libopus', '-ar', '48000', '-ac', '2', '-b:a', (typeof opts.audio === 'object' && opts.audio.bitrate) || '48k', '-application', 'lowdelay', '-frame_duration', '20'];
    const url = `rtp://${ingest.ip}:${ingest.port}?rtcpport=${ingest.rtcpPort}&pkt_size=1200`;
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...input, '-t', String(opts.maxSeconds ?? 600), ...encode, '-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', String(payloadType), url];
    stream.ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Kept for the error below: a source that never reaches the SFU says why.
    let stderr = '';
    stream.ffmpeg.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2_000);
    });
    stream.diagnose = async () => {
      const stats = await producer.getStats().catch((err: unknown) => [{ error: String(err) }]);
      return `${kind}: ffmpeg ${stream.ffmpeg.exitCode === null ? `running (pid ${stream.ffmpeg.pid})` : `exited ${stream.ffmpeg.exitCode}/${stream.ffmpeg.signalCode}`}, ` +
        `ingest ${ingest.ip}:${ingest.port}, producer ${producer.closed ? 'closed' : 'open'}, stats ${JSON.stringify(stats)}, stderr: ${stderr.trim() || '(none)'}`;
    };
    return stream;
  };

  try {
    if (opts.video) out.video = await start('video');
    if (opts.audio) out.audio = await start('audio');
    if (opts.waitForMedia ?? true) {
      await waitFor(
        () => [out.video, out.audio].every((s) => !s || s.firstPacketAt !== null),
        15_000,
        `${label} first RTP packets at the SFU`,
      ).catch(async (err: Error) => {
        const why = await Promise.all([out.video, out.audio].filter((s) => s && s.firstPacketAt === null).map((s) => s!.diagnose()));
        throw new Error(`${err.message} — ${why.join('; ')}`);
      });
    }
  } catch (err) {
    await out.close().catch(() => undefined);
    throw err;
  }
  return out;
}

const clips = new Map<string, Promise<string>>();

/**
 * A 20-second VP8 WebM test pattern (key frame every `gop` frames), made once per machine
 * in the temp folder and reused; sent looped with -c copy it costs almost no CPU.
 */
export function vp8Clip(o: { size?: string; fps?: number; gop?: number; bitrate?: string } = {}): Promise<string> {
  const size = o.size ?? '320x240';
  const fps = o.fps ?? 15;
  const gop = o.gop ?? 30;
  const bitrate = o.bitrate ?? '300k';
  const file = path.join(os.tmpdir(), `tongbu-rtpsource-${size}-${fps}-${gop}-${bitrate}.webm`);
  let p = clips.get(file);
  if (!p) {
    p = (async () => {
      if (existsSync(file)) return file;
      const tmp = `${file}.${process.pid}.tmp.webm`;
      await new Promise<void>((resolve, reject) => {
        const c = spawn('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}:duration=20`,
          '-c:v', 'libvpx', '-deadline', 'good', '-cpu-used', '4', '-b:v', bitrate, '-g', String(gop), '-keyint_min', String(gop), '-auto-alt-ref', '0', '-pix_fmt', 'yuv420p', tmp], { stdio: 'ignore' });
        c.on('error', reject);
        c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg clip exit ${code}`))));
      });
      await rename(tmp, file);
      return file;
    })();
    clips.set(file, p);
  }
  return p;
}

function stopStream(s: RtpStream): Promise<void> {
  const p = s.ffmpeg;
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
    setTimeout(() => p.kill('SIGKILL'), 2_000).unref();
  });
}
