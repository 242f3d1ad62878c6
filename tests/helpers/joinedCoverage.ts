// How much of a track research playback really plays from its joined WebM (the trackFile job's
// output): ffprobe's packet times, each interval between two packets credited up to a cap — a
// picture holds until the next one (up to 1 s of a still frame counts, as in the transcodes'
// durations), an audio packet is 20 ms (up to 0.5 s counts). A hole longer than the cap (a
// source gone, an unreadable segment) counts as missing beyond the cap.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const HOLD_CAP_S = { video: 1, audio: 0.5 } as const;

/** Seconds of the file that play, from its packets' presentation times. */
export async function joinedPlayedS(file: string, kind: 'audio' | 'video'): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', '0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 256 << 20 });
  // Side data of a packet (Opus pre-skip) prints as a line of its own.
  const t = stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && l !== 'N/A')
    .map((l) => Number.parseFloat(l))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return playedFromTimes(t, HOLD_CAP_S[kind]);
}

/** Exported for its unit test: Σ min(next − this, cap) over sorted packet times. */
export function playedFromTimes(times: number[], capS: number): number {
  let s = 0;
  for (let i = 1; i < times.length; i++) s += Math.min(Math.max(0, times[i] - times[i - 1]), capS);
  return s;
}
