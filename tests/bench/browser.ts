// Browser side of the benchmarks: Debian Chromium through playwright-core, the product's own
// sign-in flows, and an init script that timestamps what a join does inside the page.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './lib.js';
import type { ConsumerStats } from '../../client/src/live/MediaSession.js';

export async function launch(executablePath = CHROMIUM, extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, permissions: ['camera', 'microphone'], viewport: { width: 1280, height: 720 } });
  // tsx (esbuild, keepNames) wraps named inner functions in __name(); give the page one.
  await ctx.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  return ctx;
}

/** Adds the instrumentation below to every page of the context. */
export async function instrumentContext(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript({ content: `(${instrument.toString()})();` });
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('home-page').waitFor({ timeout: 30_000 });
}

export async function signInDevice(page: Page, code: string): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-tab-device').click();
  await page.getByTestId('device-code').fill(code);
  await page.getByTestId('device-submit').click();
  // The idle screen, or already the lesson: it goes straight into a lesson that is live.
  await page.getByTestId('idle-projector').or(page.getByTestId('projector-page')).waitFor({ timeout: 60_000 });
}

/** Teacher console: start the lesson (if needed) and wait until camera and mic are published. */
export async function teachLive(page: Page, lessonId: string): Promise<void> {
  await page.goto(`/lessons/${lessonId}/teach`);
  const start = page.getByTestId('lesson-start');
  await start.waitFor({ timeout: 30_000 });
  await waitFor(page, () => !(document.querySelector('[data-testid="lesson-start"]') as HTMLButtonElement | null)?.disabled, 30_000);
  const state = await page.getByTestId('lesson-state').getAttribute('data-state');
  if (state !== 'live') await start.click();
  await waitFor(page, () => document.querySelector('[data-testid="lesson-state"]')?.getAttribute('data-state') === 'live', 30_000);
  await waitFor(
    page,
    () => {
      const s = window.__tongbu?.state() as { producers?: { source: string }[] } | undefined;
      const sources = new Set((s?.producers ?? []).map((p) => p.source));
      return sources.has('camera') && sources.has('mic');
    },
    30_000,
  );
}

export async function waitFor(page: Page, fn: () => boolean, timeout: number): Promise<void> {
  await page.waitForFunction(fn, undefined, { timeout, polling: 100 });
}

/** What the page's test hook reports per consumer (the client's own type). */
export type ConsumerStat = ConsumerStats;

export const consumerStats = (page: Page) => page.evaluate(() => window.__tongbu!.stats()) as Promise<ConsumerStat[]>;

/** What the init script collects; times are performance.now() of the page (0 = navigation start). */
export interface BenchTrace {
  marks: Record<string, number>;
  events: { name: string; t: number; detail?: string }[];
  firstFrame: { t: number; receiveTime: number | null; presentationTime: number | null; width: number; via: string } | null;
  firstDecodedPoll: number | null;
  firstPacketPoll: number | null;
  timeOrigin: number;
  nav: Record<string, number>;
  cipher: { dtlsCipher?: string; srtpCipher?: string; tlsVersion?: string } | null;
  videoIn: Record<string, number> | null;
}

/**
 * Page instrumentation (addInitScript): wraps WebSocket (socket.io request/ack/event times),
 * RTCPeerConnection (creation, SDP, ICE/DTLS states, tracks) and, for the first remote video
 * track, finds the first frame with requestVideoFrameCallback on a 2x2 sink plus a 20 ms
 * getStats() poll of the receiver (first RTP packet, framesDecoded > 0). It also keeps every
 * RTCPeerConnection in window.__benchPcs for outbound-rtp stats.
 */
export function instrument(): void {
  type Ev = { name: string; t: number; detail?: string };
  const B = {
    marks: {} as Record<string, number>,
    events: [] as Ev[],
    firstFrame: null as null | { t: number; receiveTime: number | null; presentationTime: number | null; width: number; via: string },
    firstDecodedPoll: null as number | null,
    firstPacketPoll: null as number | null,
    cipher: null as null | Record<string, string>,
    videoIn: null as null | Record<string, number>,
  };
  const w = window as unknown as { __bench: typeof B; __benchPcs: RTCPeerConnection[] };
  w.__bench = B;
  w.__benchPcs = [];
  const mark = (name: string, detail?: string) => {
    const t = performance.now();
    B.events.push(detail ? { name, t, detail } : { name, t });
    if (!(name in B.marks)) B.marks[name] = t;
  };

  // socket.io v4 over engine.io: "42<id>[\"event\",…]" event, "43<id>[…]" ack.
  const pending = new Map<string, string>();
  const serverAcks = new Map<string, string>();
  const Ws = window.WebSocket;
  class BenchWebSocket extends Ws {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      mark('ws:create');
      this.addEventListener('open', () => mark('ws:open'));
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        if (e.data.startsWith('40')) return mark('sio:connected');
        const m = /^4([23])(\d*)(?:\["([^"]+)")?/.exec(e.data);
        if (!m) return;
        if (m[1] === '3') {
          const name = pending.get(m[2]);
          // transport ids tell the recv transport's requests from the send transport's
          const transportId =
            name === 'transport:create' ? /"id":"([^"]+)"/.exec(e.data)?.[1] : name === 'lesson:join' ? /"recv":\{"id":"([^"]+)"/.exec(e.data)?.[1] : undefined;
          if (name) mark(`ack:${name}`, transportId);
        } else if (m[3]) {
          mark(`evt:${m[3]}`);
          if (m[2]) serverAcks.set(m[2], m[3]);
        }
      });
    }
    send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === 'string') {
        const m = /^4([23])(\d*)(?:\["([^"]+)")?/.exec(data);
        if (m?.[1] === '2' && m[3]) {
          mark(`req:${m[3]}`, /"(?:transportId|direction)":"([^"]+)"/.exec(data)?.[1]);
          if (m[2]) pending.set(m[2], m[3]);
        } else if (m?.[1] === '3') {
          const name = serverAcks.get(m[2]);
          if (name) mark(`reply:${name}`);
        }
      }
      super.send(data);
    }
  }
  window.WebSocket = BenchWebSocket as typeof WebSocket;

  const Pc = window.RTCPeerConnection;
  let n = 0;
  class BenchPeerConnection extends Pc {
    constructor(config?: RTCConfiguration) {
      super(config);
      const i = n++;
      w.__benchPcs.push(this);
      mark(`pc${i}:create`);
      this.addEventListener('iceconnectionstatechange', () => mark(`pc${i}:ice:${this.iceConnectionState}`));
      this.addEventListener('connectionstatechange', () => mark(`pc${i}:conn:${this.connectionState}`));
      this.addEventListener('icegatheringstatechange', () => mark(`pc${i}:gather:${this.iceGatheringState}`));
      this.addEventListener('icecandidate', (e: RTCPeerConnectionIceEvent) => {
        if (e.candidate) mark(`pc${i}:cand:${e.candidate.protocol}:${e.candidate.address}`);
      });
      this.addEventListener('track', (e: RTCTrackEvent) => {
        mark(`pc${i}:track:${e.track.kind}`);
        if (e.track.kind === 'video' && !('video:track' in B.marks)) {
          mark('video:track');
          watchFirstFrame(e.receiver, e.track, this);
        }
      });
    }
    setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      mark(`pc${w.__benchPcs.indexOf(this)}:srd`);
      return super.setRemoteDescription(d);
    }
    setLocalDescription(d?: RTCLocalSessionDescriptionInit): Promise<void> {
      mark(`pc${w.__benchPcs.indexOf(this)}:sld`);
      return super.setLocalDescription(d);
    }
  }
  window.RTCPeerConnection = BenchPeerConnection as typeof RTCPeerConnection;

  // The projector view's own teacher video: when its first frame is on screen.
  const shown = setInterval(() => {
    const v = document.querySelector('[data-testid="stage-teacher"] video') as HTMLVideoElement | null;
    if (!v?.srcObject || !('requestVideoFrameCallback' in v)) return;
    clearInterval(shown);
    v.requestVideoFrameCallback((now) => mark('view:firstFrame', String(now)));
  }, 10);

  function watchFirstFrame(receiver: RTCRtpReceiver, track: MediaStreamTrack, pc: RTCPeerConnection): void {
    const v = document.createElement('video');
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    v.style.cssText = 'position:fixed;left:0;top:0;width:2px;height:2px;opacity:0.01;pointer-events:none;z-index:-1';
    v.srcObject = new MediaStream([track]);
    const attach = () => {
      (document.body ?? document.documentElement).appendChild(v);
      v.play().catch(() => undefined);
    };
    if (document.body) attach();
    else document.addEventListener('DOMContentLoaded', attach, { once: true });
    if ('requestVideoFrameCallback' in v) {
      v.requestVideoFrameCallback((now, meta) => {
        if (!B.firstFrame) {
          B.firstFrame = {
            t: now,
            receiveTime: (meta as { receiveTime?: number }).receiveTime ?? null,
            presentationTime: meta.presentationTime ?? null,
            width: meta.width,
            via: 'requestVideoFrameCallback',
          };
          mark('video:firstFrame');
        }
      });
    }
    const started = performance.now();
    const poll = setInterval(async () => {
      try {
        const stats = await receiver.getStats();
        stats.forEach((r: Record<string, unknown>) => {
          if (r.type === 'inbound-rtp') {
            if (B.firstPacketPoll === null && (r.packetsReceived as number) > 0) {
              B.firstPacketPoll = performance.now();
              mark('video:firstPacket(poll)');
            }
            if (B.firstDecodedPoll === null && (r.framesDecoded as number) > 0) {
              B.firstDecodedPoll = performance.now();
              mark('video:firstDecoded(poll)');
            }
          }
        });
        if ((B.firstDecodedPoll !== null && B.firstFrame) || performance.now() - started > 20_000) {
          clearInterval(poll);
          const all = await pc.getStats();
          all.forEach((r: Record<string, unknown>) => {
            if (r.type === 'transport') {
              B.cipher = { dtlsCipher: String(r.dtlsCipher), srtpCipher: String(r.srtpCipher), tlsVersion: String(r.tlsVersion) };
            }
            if (r.type === 'inbound-rtp' && r.kind === 'video') {
              const keep: Record<string, number> = {};
              for (const k of ['packetsReceived', 'framesDecoded', 'keyFramesDecoded', 'pliCount', 'firCount', 'nackCount', 'frameWidth', 'jitterBufferDelay', 'jitterBufferEmittedCount']) {
                if (typeof r[k] === 'number') keep[k] = r[k] as number;
              }
              B.videoIn = keep;
            }
          });
        }
      } catch {
        clearInterval(poll);
      }
    }, 20);
  }
}

export async function readTrace(page: Page): Promise<BenchTrace> {
  return page.evaluate(() => {
    const b = (window as unknown as { __bench: Omit<BenchTrace, 'timeOrigin' | 'nav'> }).__bench;
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    const nav: Record<string, number> = {};
    if (n) {
      for (const k of ['requestStart', 'responseStart', 'responseEnd', 'domInteractive', 'domContentLoadedEventEnd', 'loadEventEnd'] as const) nav[k] = n[k];
    }
    return JSON.parse(JSON.stringify({ ...b, timeOrigin: performance.timeOrigin, nav })) as BenchTrace;
  });
}

/** Sum of outbound-rtp bytes (media + header) over all RTCPeerConnections of the page. */
export async function outboundBytes(page: Page): Promise<{ bytes: number; headerBytes: number; retransmittedBytes: number; byKind: Record<string, number> }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __benchPcs?: RTCPeerConnection[] }).__benchPcs ?? [];
    let bytes = 0;
    let headerBytes = 0;
    let retransmittedBytes = 0;
    const byKind: Record<string, number> = {};
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((r: Record<string, unknown>) => {
        if (r.type !== 'outbound-rtp') return;
        const b = (r.bytesSent as number) ?? 0;
        const h = (r.headerBytesSent as number) ?? 0;
        bytes += b;
        headerBytes += h;
        retransmittedBytes += (r.retransmittedBytesSent as number) ?? 0;
        byKind[String(r.kind)] = (byKind[String(r.kind)] ?? 0) + b + h;
      });
    }
    return { bytes, headerBytes, retransmittedBytes, byKind };
  });
}

/** Everything WebRTC says about the page's PCs (for debugging a bench run). */
export async function pcSummary(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __benchPcs?: RTCPeerConnection[] }).__benchPcs ?? [];
    const out: Record<string, unknown>[] = [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((r: Record<string, unknown>) => {
        if (r.type === 'outbound-rtp' || r.type === 'inbound-rtp' || r.type === 'remote-inbound-rtp' || r.type === 'candidate-pair') {
          if (r.type === 'candidate-pair' && !r.nominated) return;
          const keep: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(r)) if (typeof v === 'number' || typeof v === 'string') keep[k] = v;
          out.push(keep);
        }
      });
    }
    return out;
  });
}

/** Per-encoding outbound video stats (teacher's simulcast layers, or a classroom's one layer). */
export async function outboundVideo(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __benchPcs?: RTCPeerConnection[] }).__benchPcs ?? [];
    const out: Record<string, unknown>[] = [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((r: Record<string, unknown>) => {
        if (r.type !== 'outbound-rtp' || r.kind !== 'video') return;
        const keep: Record<string, unknown> = {};
        for (const k of ['rid', 'frameWidth', 'frameHeight', 'framesPerSecond', 'framesEncoded', 'framesSent', 'bytesSent', 'targetBitrate', 'qualityLimitationReason', 'active']) {
          if (k in r) keep[k] = r[k];
        }
        out.push(keep);
      });
    }
    return out;
  });
}
