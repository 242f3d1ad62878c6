// ffmpeg/ffprobe for the recording processors, through the one media-process helper
// (media/process.ts: pdeathsig, niceness by role, AbortSignal, stderr tail). Here: what only
// processing asks of ffmpeg — progress from `-progress`, CPU seconds from `-benchmark`, where
// the output ended, the input's duration.
import { runMediaProcess, type MediaRole } from '../../media/process.js';

export interface FfmpegRun {
  /** CPU seconds (user + system) ffmpeg reported with -benchmark. */
  cpuS: number;
  stderr: string;
  /** The output's last out_time (-progress), seconds: where the output ended (its last frame's start). */
  outTimeS: number | null;
}

/**
 * Runs ffmpeg with `args` (without the binary). `totalS` lets it report progress 0..1 from
 * `-progress` output. Rejects with FfmpegError naming the last meaningful stderr line.
 */
export function runFfmpeg(
  args: string[],
  opts: {
    signal?: AbortSignal;
    totalS?: number;
    onProgress?: (fraction: number) => void;
    /**
     * Sets the CPU niceness (media/process.ts). The order under overload is: the live lesson
     * (SFU, nice 0), the recorders (ffmpeg, nice 0), research playback ('playback', track joins
     * and transcodes), then the composite and everything after it ('composite', the default).
     */
    role?: MediaRole;
    /** Niceness other than the role's (tests). */
    nice?: number;
  } = {},
): Promise<FfmpegRun> {
  // level+info tags every stderr line with its log level, so the cause of a failure is found by
  // level ([error]/[fatal]) rather than guessed from words that stream descriptions also contain.
  const ffArgs = ['-hide_banner', '-loglevel', 'level+info', '-nostdin', '-y', '-benchmark', '-progress', 'pipe:1', '-nostats', ...args];
  let lastReport = 0;
  let lastUs = -1;
  const onStdout = (chunk: Buffer) => {
    const m = /out_time_us=(\d+)/g;
    const d = chunk.toString('utf8');
    let us = -1;
    for (let r = m.exec(d); r; r = m.exec(d)) us = Number(r[1]);
    if (us < 0) return;
    lastUs = us;
    if (!opts.totalS || !opts.onProgress) return;
    const f = Math.min(1, us / 1e6 / opts.totalS);
    if (f - lastReport >= 0.05) {
      lastReport = f;
      opts.onProgress(f);
    }
  };
  return runMediaProcess('ffmpeg', ffArgs, { role: opts.role ?? 'composite', nice: opts.nice, signal: opts.signal, onStdout }).then((x) => ({
    cpuS: benchCpu(x.stderr),
    stderr: x.stderr,
    outTimeS: lastUs >= 0 ? lastUs / 1e6 : null,
  }));
}

/** The first input's container duration as ffmpeg logged it on opening it ("Duration: 00:00:04.01"), seconds. */
export function inputDuration(stderr: string): number | null {
  const m = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

function benchCpu(stderr: string): number {
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  return m ? Number(m[1]) + Number(m[2]) : 0;
}

