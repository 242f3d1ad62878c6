// What a recorder consumes and how ffmpeg is told about it.
import type { types } from 'mediasoup';

/**
 * The router's capabilities for one kind, stripped of RTX, transport-cc/REMB and header
 * extensions. A recorder sends no feedback: with transport-cc the consumer's bandwidth
 * estimate never grows, holds simulcast at the lowest layer and sends padding probes on
 * the recorder's port (the proof of concept came out at 10 fps with missed packets).
 */
export function recorderCapabilities(router: types.Router, kind: 'audio' | 'video'): types.RtpCapabilities {
  return {
    codecs: (router.rtpCapabilities.codecs ?? [])
      .filter((c) => c.kind === kind && !/\/rtx$/i.test(c.mimeType))
      .map((c) => ({
        ...c,
        rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => f.type !== 'transport-cc' && f.type !== 'goog-remb'),
      })),
    headerExtensions: [],
  };
}

/** A one-stream SDP for ffmpeg: it listens on `port` (RTP) and `port + 1` (RTCP). */
export function recorderSdp(consumer: types.Consumer, port: number): string {
  const codec = consumer.rtpParameters.codecs[0];
  const [, name] = codec.mimeType.split('/');
  const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=tongbu-recorder',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${consumer.kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtcp:${port + 1}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

export function codecName(consumer: types.Consumer): string {
  return consumer.rtpParameters.codecs[0].mimeType.split('/')[1] ?? 'unknown';
}
