// What a failed processing job says: ffmpeg's own error line picked from its level-tagged
// stderr, and the user-facing text without server paths or internal ids, in linear time.
import { describe, expect, it } from 'vitest';
import { ffmpegErrorLine } from '../../media/ffmpegLog.js';
import { publicError } from '../../server/recordings/progress.js';

// ffmpeg 5.1's stderr (-loglevel level+info) for the field failure, shortened.
const FIELD = `[info] Input #0, matroska,webm, from '/srv/tongbu/recordings/4f0c/tracks/9a1e/seg-00012.webm':
[info]   Stream #0:0: Video: vp8, yuv420p(tv, progressive), 640x360, SAR 1:1 DAR 16:9, 15 fps, 15 tbr, 1k tbn
[info]   Stream #0:0: Video: h264, yuv420p(tv, bt470bg/unknown/unknown, progressive), 640x360 [SAR 1:1 DAR 16:9], q=2-31, 15 fps, 90k tbn
[libx264 @ 0x55be2954b540] [warning] non-strictly-monotonic PTS
[mpegts @ 0x55be29542280] [error] Non-monotonous DTS in output stream 0:0; previous: 12000, current: 12000; aborting.
[libx264 @ 0x55be2954b540] [info] frame I:1     Avg QP:12.67  size:  4264
[error] Conversion failed!
[info] bench: utime=0.1s stime=0.0s rtime=0.2s`;

describe('ffmpegErrorLine', () => {
  it('names the cause, not a stream description or the generic last line', () => {
    expect(ffmpegErrorLine(FIELD)).toBe('mpegts: Non-monotonous DTS in output stream 0:0; previous: 12000, current: 12000; aborting.');
  });
  it('falls back to the generic error, then a warning, when nothing specific was said', () => {
    expect(ffmpegErrorLine('[info] x\n[error] Conversion failed!')).toBe('Conversion failed!');
    expect(ffmpegErrorLine('[info] x\n[h264 @ 0xabcdef12] [warning] late frame')).toBe('h264: late frame');
  });
});

describe('publicError', () => {
  const id = '9a1e6c2b-3f7d-4d0e-8b1a-2c3d4e5f6a7b';
  it('keeps the cause, drops server paths and internal ids', () => {
    const msg = `segment 12 of track ${id} is unreadable: ffprobe could not read seg-00012.webm: /srv/tongbu/recordings/4f0c/tracks/${id}/seg-00012.webm: Invalid data found when processing input`;
    const out = publicError(msg);
    expect(out).toBe('segment 12 is unreadable: ffprobe could not read seg-00012.webm: seg-00012.webm: Invalid data found when processing input');
    expect(publicError(`window.${id.replace(/-/g, '_')}.3 failed at 0x55be29542280`)).toBe('failed at');
  });
  it('is linear on hostile input: four times the text takes about four times as long, not sixteen', () => {
    const hostile = (n: number) => '.'.repeat(n) + 'a ' + '('.repeat(n) + ' /'.repeat(n) + ' ' + 'x'.repeat(n) + '.'.repeat(n) + 'y';
    const time = (n: number) => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = process.hrtime.bigint();
        publicError(hostile(n));
        best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
      }
      return best;
    };
    time(10_000); // warm up
    const small = time(50_000);
    const large = time(200_000);
    expect(large / small).toBeLessThan(9);
  });
});
