// A mediasoup-client Device spends a noticeable part of a join probing the browser's own
// codecs (Device.load creates and closes an RTCPeerConnection). Routers of one server all have
// the same capabilities, so a browser that joined before loads its Device from the last
// capabilities it saw (remembered with the server's key for them) while the socket is still
// connecting. It also remembers what that Device found (the same until the browser changes),
// so lesson:join hands the server this browser's capabilities at once, without waiting for
// the Device, and the server starts sending media without a media:ready round trip.
// mediasoup-client is imported here only, dynamically: the socket opens before it is parsed.
import type { Device } from 'mediasoup-client';
import type { RtpCapabilities } from 'mediasoup-client/types';
import type { ClientPayload } from '../../../server/contract/events.js';

/** lesson:join's `media.caps`. */
export type JoinCaps = NonNullable<ClientPayload<'lesson:join'>['media']>['caps'];

const STORE = 'tongbu.routerCaps.v2';

interface Remembered {
  key: string;
  caps: string;
  /** The Device's own capabilities for these, found by this browser (user agent). */
  device?: { ua: string; caps: RtpCapabilities };
}

interface Loaded {
  key: string;
  caps: string;
  device: Promise<Device | null>;
}

function remembered(): Remembered | null {
  try {
    const v = JSON.parse(localStorage.getItem(STORE) ?? 'null') as Partial<Remembered> | null;
    if (!v || typeof v.key !== 'string' || typeof v.caps !== 'string') return null;
    const device = v.device && v.device.ua === navigator.userAgent && typeof v.device.caps === 'object' ? v.device : undefined;
    return { key: v.key, caps: v.caps, device };
  } catch {
    return null;
  }
}

function remember(r: Remembered): void {
  try {
    localStorage.setItem(STORE, JSON.stringify(r));
  } catch {
    /* private mode: no preload next time */
  }
}

async function load(caps: string): Promise<Device> {
  const { Device } = await import('mediasoup-client');
  const device = new Device();
  await device.load({ routerRtpCapabilities: JSON.parse(caps) as RtpCapabilities });
  return device;
}

export function sameCaps(a: unknown, b: RtpCapabilities): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The page's loaded Device, kept across the lesson views of one page (LessonSessions owns the
 * one instance): a view opened after another does not load it again.
 */
export class DevicePreload {
  private current: Loaded | null = null;

  /** Starts loading a Device from the remembered router capabilities, if any; resolves once it has. */
  preload(): Promise<unknown> {
    const r = remembered();
    if (r && !this.current) this.start(r.key, r.caps);
    return this.current?.device ?? Promise.resolve();
  }

  /**
   * What lesson:join may send at once: the key of the remembered router capabilities and this
   * browser's own for them, as remembered (the Device may still be loading; MediaSession checks).
   */
  rememberedCaps(): JoinCaps {
    const r = remembered();
    return r?.device ? { routerCapsKey: r.key, rtpCapabilities: r.device.caps as NonNullable<JoinCaps>['rtpCapabilities'] } : undefined;
  }

  /** A loaded Device for these router capabilities: the preloaded one when the key matches. */
  async loadDevice(routerRtpCapabilities: unknown, key: string): Promise<Device> {
    let pre = this.current;
    if (!pre || pre.key !== key) {
      const caps = JSON.stringify(routerRtpCapabilities);
      remember({ key, caps });
      pre = this.start(key, caps);
    }
    const device = await pre.device;
    if (device) return device;
    // A failed load is not kept: the next join tries again.
    if (this.current === pre) this.current = null;
    return load(pre.caps);
  }

  private start(key: string, caps: string): Loaded {
    const device = load(caps).then(
      (d) => {
        const r = remembered();
        if (!r || r.key !== key || !sameCaps(r.device?.caps, d.rtpCapabilities)) {
          remember({ key, caps, device: { ua: navigator.userAgent, caps: d.rtpCapabilities } });
        }
        return d;
      },
      (err: unknown) => {
        console.warn('[tongbu] could not load the media device', err);
        return null;
      },
    );
    return (this.current = { key, caps, device });
  }
}
