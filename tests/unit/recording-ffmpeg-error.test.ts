// Failure logs of a recorder carry ffmpeg's own error, not the stream description it prints
// first (the overload lesson's logs held only `Input #0, sdp …` lines).
import { describe, expect, it } from 'vitest';
import { ffmpegError } from '../../media/ffmpegLog.js';

describe('ffmpegError', () => {
  it('picks the error lines after a stream description', () => {
    const stderr = [
      "Input #0, sdp, from '/data/recordings/l/tracks/t/run-1.sdp':",
      '  Metadata:',
      '    title           : tongbu recorder',
      '  Duration: N/A, start: 0.000000, bitrate: N/A',
      '  Stream #0:0: Video: vp8, yuv420p(progressive), 90k tbr, 90k tbn',
      "Output #0, segment, to '/data/recordings/l/tracks/t/seg-%05d.webm':",
      '  Stream #0:0: Video: vp8, yuv420p, q=2-31, 90k tbn',
      '[webm @ 0x55] dimensions not set',
      'Could not write header for output file #0 (incorrect codec parameters ?): Invalid argument',
      '',
    ].join('\n');
    const line = ffmpegError(stderr);
    expect(line).toContain('Could not write header for output file #0');
    expect(line).toContain('dimensions not set');
    expect(line).not.toContain('Stream #0:0');
    expect(line).not.toContain('Input #0');
  });

  it('falls back to the last lines, and says when there was nothing', () => {
    expect(ffmpegError('a\nb\nc\nd\n')).toBe('b | c | d');
    expect(ffmpegError('')).toBe('(no output)');
  });
});
