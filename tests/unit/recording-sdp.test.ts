// Pure parts of recording capture: what a recorder consumes, the SDP ffmpeg reads, recorder ports.
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { recorderCapabilities, recorderSdp } from '../../server/recordings/sdp.js';
import { PortPool } from '../../server/recordings/ports.js';

const router = {
  rtpCapabilities: {
    codecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, rtcpFeedback: [{ type: 'transport-cc' }] },
      {
        kind: 'video',
        mimeType: 'video/VP8',
        clockRate: 90000,
        preferredPayloadType: 101,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }, { type: 'transport-cc' }],
      },
      { kind: 'video', mimeType: 'video/rtx', clockRate: 90000, preferredPayloadType: 102, parameters: { apt: 101 } },
    ],
    headerExtensions: [{ kind: 'video', uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', preferredId: 5 }],
  },
} as unknown as types.Router;

describe('recorder capabilities', () => {
  it('drop RTX, transport-cc, REMB and every header extension, keep NACK/PLI/FIR', () => {
    const caps = recorderCapabilities(router, 'video');
    expect(caps.codecs!.map((c) => c.mimeType)).toEqual(['video/VP8']);
    expect(caps.codecs![0].rtcpFeedback).toEqual([{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }]);
    expect(caps.headerExtensions).toEqual([]);
    expect(recorderCapabilities(router, 'audio').codecs!.map((c) => [c.mimeType, c.rtcpFeedback])).toEqual([['audio/opus', []]]);
  });
});

describe('recorder SDP', () => {
  it('describes one stream on the recorder port, RTCP on the next', () => {
    const consumer = {
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } }] },
    } as unknown as types.Consumer;
    const sdp = recorderSdp(consumer, 42102);
    expect(sdp).toContain('m=audio 42102 RTP/AVP 100');
    expect(sdp).toContain('a=rtcp:42103');
    expect(sdp).toContain('a=rtpmap:100 opus/48000/2');
    expect(sdp).toContain('a=fmtp:100 useinbandfec=1');
    const video = { kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }] } } as unknown as types.Consumer;
    expect(recorderSdp(video, 42104)).toContain('a=rtpmap:101 VP8/90000\n');
  });
});

describe('recorder ports', () => {
  it('hands out even RTP ports with their RTCP pair inside the range, never twice at once', async () => {
    const pool = new PortPool(42451, 42458);
    const got = [await pool.take(), await pool.take(), await pool.take()];
    for (const p of got) {
      expect(p % 2).toBe(0);
      expect(p).toBeGreaterThanOrEqual(42451);
      expect(p + 1).toBeLessThanOrEqual(42458);
    }
    expect(new Set(got).size).toBe(3);
    await expect(pool.take()).rejects.toThrow('no free recorder port');
    pool.release(got[1]);
    expect(await pool.take()).toBe(got[1]);
  });
});
