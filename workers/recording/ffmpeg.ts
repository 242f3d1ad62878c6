// ffmpeg/ffprobe as child processes for the recording processors. Cancellation (BullMQ's
// AbortSignal) kills ffmpeg at once; a killed worker takes its ffmpeg with it (pdeathsig).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const HAS_SETPRIV = process.platform === 'linux' && existsSync('/usr/bin/setpriv');

/** Track transcodes: what people wait for after class, before the composite. */
export const PLAYBACK_NICE = 5;
/** Composite windows, concatenation, thumbnails, peaks: they may follow. */
export const COMPOSITE_NICE = 15;
/** Voice-activity analysis: last of all (it only feeds the research charts). */
export const ANALYSIS_NICE = 19;

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

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
     * CPU niceness (0–19), relative to the worker process. The order under overload is: the
     * live lesson (SFU, nice 0), the recorders (ffmpeg, nice 0), research playback (track
     * transcodes, PLAYBACK_NICE), then the composite and everything after it (default,
     * COMPOSITE_NICE). With autogroup scheduling, nice orders the processes of one session;
     * other sessions' load gets its fair share either way.
     */
    nice?: number;
  } = {},
): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new FfmpegError('cancelled', ''));
    // level+info tags every stderr line with its log level, so the cause of a failure is found by
    // level ([error]/[fatal]) rather than guessed from words that stream descriptions also contain.
    const ffArgs = ['-hide_banner', '-loglevel', 'level+info', '-nostdin', '-y', '-benchmark', '-progress', 'pipe:1', '-nostats', ...args];
    // setpriv --pdeathsig: if this worker is killed (SIGKILL, OOM), the kernel kills its ffmpeg
    // too, so the job that another worker takes over is not also still running here.
    const cmd = HAS_SETPRIV ? ['setpriv', '--pdeathsig', 'SIGKILL', 'ffmpeg', ...ffArgs] : ['ffmpeg', ...ffArgs];
    const nice = opts.nice ?? COMPOSITE_NICE;
    // nice and setpriv exec what follows: the child's pid is ffmpeg's.
    const [bin, ...rest] = nice > 0 ? ['nice', '-n', String(nice), ...cmd] : cmd;
    const child = spawn(bin, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
    });
    child.stdout.setEncoding('utf8');
    let lastReport = 0;
    let lastUs = -1;
    child.stdout.on('data', (d: string) => {
      const m = /out_time_us=(\d+)/g;
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
    });
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`cannot run ffmpeg: ${err.message}`, ''));
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(new FfmpegError('cancelled', tail(stderr)));
      if (code !== 0) {
        return reject(new FfmpegError(`ffmpeg failed (${sig ?? `exit ${code}`}): ${ffmpegErrorLine(stderr)}`, tail(stderr)));
      }
      resolve({ cpuS: benchCpu(stderr), stderr, outTimeS: lastUs >= 0 ? lastUs / 1e6 : null });
    });
  });
}

/** Duration in seconds of a media file's longest stream, per ffprobe (at the job's niceness, like its ffmpeg). */
export function probeDuration(file: string, signal?: AbortSignal, nice = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file];
    const child = nice > 0 ? spawn('nice', ['-n', String(nice), 'ffprobe', ...args], { signal }) : spawn('ffprobe', args, { signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new FfmpegError(`cannot run ffprobe: ${e.message}`, '')));
    child.on('close', (code) => {
      const v = Number.parseFloat(out.trim());
      if (code !== 0 || !Number.isFinite(v)) return reject(new FfmpegError(`ffprobe could not read ${path.basename(file)}: ${err.trim().split('\n').pop() ?? ''}`, err));
      resolve(v);
    });
  });
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

/** The last lines worth keeping for a failure log: warnings and errors, not the info chatter. */
function tail(s: string, n = 20): string {
  const lines = s.split('\n').filter((l) => l.trim() && !l.includes('[info]') && !l.includes('[verbose]'));
  return lines.slice(-n).join('\n');
}

const GENERIC = /^(Conversion failed!?|Exiting normally.*|Error while (filtering|processing|decoding|encoding)[^:]*)$/i;
const LEVEL = /\[(error|fatal|panic|warning)\] /;

/**
 * The line that says what went wrong: ffmpeg's first specific error ([error]/[fatal]), with
 * the component kept ("mpegts: …") and the level and pointer tags dropped. A generic
 * "Conversion failed!" only if nothing else was said; a warning, or the last line, only if
 * no error at all was logged (e.g. a level-less ffmpeg). Exported for tests.
 */
export function ffmpegErrorLine(stderr: string): string {
  const parsed = stderr
    .split('\n')
    .map((raw) => {
      const l = raw.trim();
      const m = LEVEL.exec(l);
      const level = m?.[1] ?? null;
      const before = m ? l.slice(0, m.index) : '';
      const text = m ? l.slice(m.index + m[0].length).trim() : l;
      // "[mpegts @ 0x55…] " → "mpegts: "
      const comp = /^\[([\w.-]+) @ 0x[0-9a-f]+\]/.exec(before.trim())?.[1];
      return { level, text: comp ? `${comp}: ${text}` : text, bare: text };
    })
    .filter((l) => l.bare && !l.bare.startsWith('bench:') && !/^(frame|size|progress|out_time|speed|total_size)=/.test(l.bare));
  const errors = parsed.filter((l) => l.level === 'error' || l.level === 'fatal' || l.level === 'panic');
  const pick =
    errors.find((l) => !GENERIC.test(l.bare)) ??
    parsed.find((l) => l.level === 'warning') ??
    errors[0] ??
    parsed.filter((l) => !l.level).find((l) => /invalid|error|corrupt|truncat|no such|could not|failed|EBML|not found/i.test(l.bare) && !/^(Stream|Input|Output) #/.test(l.bare)) ??
    parsed[parsed.length - 1];
  return (pick?.text ?? 'no output').slice(0, 300);
}
