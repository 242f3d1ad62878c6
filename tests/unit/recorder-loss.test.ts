// What in a recorder's ffmpeg stderr makes it ask for a key frame at once (RecorderRun.repairAfterLoss):
// the lines ffmpeg 5.1's RTP demuxer writes when it lost packets (seen with a lossy UDP relay).
import { expect, it } from 'vitest';
import { lostPackets } from '../../server/recordings/RecorderRun.js';

it('recognises lost packets and dropped frames, nothing else', () => {
  expect(lostPackets('[sdp @ 0x558fed634a00] RTP: missed 1 packets\n')).toBe(true);
  expect(lostPackets('[sdp @ 0x558fed634a00] Received no start marker; dropping frame\n')).toBe(true);
  expect(lostPackets('[sdp @ 0x558fed634a00] max delay reached. need to consume packet\n')).toBe(true);
  expect(lostPackets('[sdp @ 0x56132d880a40] Packet corrupt (stream = 0, dts = NOPTS).\n')).toBe(true);
  expect(lostPackets('[segment @ 0x55] Opening \'seg-00002.webm\' for writing\n')).toBe(false);
  expect(lostPackets('Non-monotonous DTS in output stream 0:0; previous: 1, current: 1\n')).toBe(false);
});
