// A mediasoup-client Device spends a noticeable part of a join probing the browser's own
// codecs (Device.load creates and closes an RTCPeerConnection). Routers of one server all have
// the same capabilities, so a projector that joined before loads its Device from the last
// capabilities it saw while the socket is still connecting, and the join only checks they match.
import { Device } from 'mediasoup-client';
import type { RtpCapabilities } from 'mediasoup-client/types';

const KEY = 'tongbu.routerRtpCapabilities';
let preloaded: { caps: string; device: Promise<Device> } | null = null;

function remembered(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

async function load(caps: string): Promise<Device> {
  const device = new Device();
  await device.load({ routerRtpCapabilities: JSON.parse(caps) as RtpCapabilities });
  return device;
}

/** Starts loading a Device from the remembered router capabilities, if any. */
export function preloadDevice(): void {
  const caps = remembered();
  if (!caps || preloaded) return;
  const device = load(caps);
  device.catch(() => undefined);
  preloaded = { caps, device };
}

/** A loaded Device for these router capabilities: the preloaded one when they match. */
export async function loadDevice(routerRtpCapabilities: unknown): Promise<Device> {
  const caps = JSON.stringify(routerRtpCapabilities);
  try {
    localStorage.setItem(KEY, caps);
  } catch {
    /* private mode: no preload next time */
  }
  const pre = preloaded;
  preloaded = null;
  if (pre && pre.caps === caps) {
    const device = await pre.device.catch(() => null);
    if (device) return device;
  }
  return load(caps);
}
