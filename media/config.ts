// Codecs and transport settings for live lessons.
import type { types } from 'mediasoup';

export const ROUTER_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  // VP8 for simulcast: every browser our classrooms use encodes it in software cheaply.
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 800 },
  },
];

/** Starting estimate towards a receiver; low enough for a rural downlink, raised by BWE. */
export const INITIAL_OUTGOING_BITRATE = 800_000;
/** Cap on what one sender may push to us (teacher: 3 simulcast layers + screen). */
export const MAX_INCOMING_BITRATE = 4_000_000;

/** AudioLevelObserver: how often the teacher's grid level bars update. */
export const AUDIO_LEVEL_INTERVAL_MS = 300;
export const AUDIO_LEVEL_THRESHOLD_DB = -80;
