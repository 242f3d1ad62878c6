// ffmpeg/ffprobe as child processes for the recording processors. Cancellation (BullMQ's
// AbortSignal) kills ffmpeg at once; a killed worker takes its ffmpeg with it (pdeathsig).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const HAS_SETPRIV = process.platform === 'linux' && existsSync('/usr/bin/setpriv');

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
    /** CPU niceness (0–19): a live lesson's SFU on the same machine always comes first. */
    nice?: number;
  } = {},
): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new FfmpegError('cancelled', ''));
    const ffArgs = ['-hide_banner', '-nostdin', '-y', '-benchmark', '-progress', 'pipe:1', '-nostats', ...args];
    // setpriv --pdeathsig: if this worker is killed (SIGKILL, OOM), the kernel kills its ffmpeg
    // too, so the job that another worker takes over is not also still running here.
    const cmd = HAS_SETPRIV ? ['setpriv', '--pdeathsig', 'SIGKILL', 'ffmpeg', ...ffArgs] : ['ffmpeg', ...ffArgs];
    const nice = opts.nice ?? 10;
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
    child.stdout.on('data', (d: string) => {
      if (!opts.totalS || !opts.onProgress) return;
      const m = /out_time_us=(\d+)/g;
      let us = -1;
      for (let r = m.exec(d); r; r = m.exec(d)) us = Number(r[1]);
      if (us < 0) return;
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
        return reject(new FfmpegError(`ffmpeg failed (${sig ?? `exit ${code}`}): ${meaningfulLine(stderr)}`, tail(stderr)));
      }
      resolve({ cpuS: benchCpu(stderr), stderr });
    });
  });
}

/** Duration in seconds of a media file's longest stream, per ffprobe. */
export function probeDuration(file: string, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { signal });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new FfmpegError(`cannot run ffprobe: ${e.message}`, '')));
    child.on('close', (code) => {
      const v = Number.parseFloat(out.trim());
      if (code !== 0 || !Number.isFinite(v)) return reject(new FfmpegError(`ffprobe could not read ${file}: ${err.trim().split('\n').pop() ?? ''}`, err));
      resolve(v);
    });
  });
}

function benchCpu(stderr: string): number {
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  return m ? Number(m[1]) + Number(m[2]) : 0;
}

function tail(s: string): string {
  return s.split('\n').slice(-15).join('\n');
}

/** The line that says what went wrong, not the last progress or benchmark line. */
function meaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('bench:') && !/^(frame|size|progress|out_time|speed|total_size)=/.test(l));
  const bad = lines.filter((l) => /invalid|error|corrupt|truncat|no such|could not|failed|EBML|not found|unknown/i.test(l));
  return (bad[0] ?? lines[lines.length - 1] ?? 'no output').slice(0, 300);
}
