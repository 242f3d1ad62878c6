// Every media child process (ffmpeg, ffprobe) of the product starts here: the recorders on the
// web side and the processors in the workers. Each one, whatever it is for, gets
// - a parent-death signal (setpriv --pdeathsig): a web or worker process that is SIGKILLed or
//   OOM-killed takes its ffmpeg with it, so a job another worker takes over is not also still
//   running here, and no recorder outlives its lesson;
// - its CPU niceness by role (the order under overload: the live lesson and the recorders at 0,
//   research playback, the composite and what follows it, analysis last);
// - cancellation by AbortSignal (SIGKILL at once) and an optional kill deadline;
// - the tail of its stderr, for the error message and the log.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ffmpegErrorLine, warningTail } from './ffmpegLog.js';

const HAS_SETPRIV = process.platform === 'linux' && existsSync('/usr/bin/setpriv');

/** Recorders: capture wins the CPU over all processing (the SFU runs at 0 too). */
export const RECORDER_NICE = 0;
/** Track joins and transcodes: what people wait for after class, before the composite. */
export const PLAYBACK_NICE = 5;
/** Composite windows, concatenation, thumbnails, peaks: they may follow. */
export const COMPOSITE_NICE = 15;
/** Voice-activity analysis: last of all (it only feeds the research charts). */
export const ANALYSIS_NICE = 19;

export type MediaRole = 'recorder' | 'playback' | 'composite' | 'analysis';
const NICE: Record<MediaRole, number> = { recorder: RECORDER_NICE, playback: PLAYBACK_NICE, composite: COMPOSITE_NICE, analysis: ANALYSIS_NICE };

/**
 * `cmd args` wrapped so that the kernel sends `deathSignal` to it when this process dies, at
 * niceness `nice` (relative to this process). nice and setpriv exec what follows, so the
 * child's pid is the command's own (signals and /proc reach it, not a wrapper).
 */
export function supervisedCommand(cmd: string, args: string[], opts: { deathSignal: 'SIGKILL' | 'SIGTERM'; nice?: number }): [string, ...string[]] {
  const guarded = HAS_SETPRIV ? ['setpriv', '--pdeathsig', opts.deathSignal, cmd, ...args] : [cmd, ...args];
  const [bin, ...rest] = opts.nice && opts.nice > 0 ? ['nice', '-n', String(opts.nice), ...guarded] : guarded;
  return [bin, ...rest];
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    /** ffmpeg's last warning and error lines, for the log. */
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

export interface MediaProcessOptions {
  /** Sets the niceness; a recorder's parent-death signal is SIGTERM (ffmpeg then closes the segment it writes), everyone else's SIGKILL. */
  role: MediaRole;
  /** Niceness other than the role's (tests). */
  nice?: number;
  /** Abort kills the process at once (SIGKILL). */
  signal?: AbortSignal;
  /** Kill deadline: SIGKILL if it still runs after this long. */
  timeoutMs?: number;
  /** Its stdout, chunk by chunk (otherwise stdout is not read). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (text: string) => void;
  /** How many characters of stderr to keep (the tail). */
  keepStderr?: number;
}

export interface MediaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The kept tail of stderr (plus the spawn error, if it could not start). */
  stderr: string;
  /** Ended by the AbortSignal. */
  cancelled: boolean;
  /** Killed at the kill deadline. */
  timedOut: boolean;
  /** It could not be started (no such binary). */
  spawnError: Error | null;
}

/** One running media process. */
export class MediaProcess {
  readonly child: ChildProcess;
  /** Settles (never rejects) once the process has exited and its pipes are drained. */
  readonly exited: Promise<MediaExit>;
  private tail = '';
  private timedOut = false;

  constructor(
    readonly bin: 'ffmpeg' | 'ffprobe',
    args: string[],
    private readonly opts: MediaProcessOptions,
  ) {
    const [cmd, ...argv] = supervisedCommand(bin, args, { deathSignal: opts.role === 'recorder' ? 'SIGTERM' : 'SIGKILL', nice: opts.nice ?? NICE[opts.role] });
    const child = spawn(cmd, argv, { stdio: ['ignore', opts.onStdout ? 'pipe' : 'ignore', 'pipe'] });
    this.child = child;
    const keep = opts.keepStderr ?? 32_000;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.tail += d;
      if (this.tail.length > 2 * keep) this.tail = this.tail.slice(-keep);
      opts.onStderr?.(d);
    });
    if (opts.onStdout) child.stdout!.on('data', opts.onStdout);
    const signal = opts.signal;
    const onAbort = () => this.kill();
    if (signal?.aborted) queueMicrotask(onAbort);
    else signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = opts.timeoutMs === undefined ? null : setTimeout(() => ((this.timedOut = true), this.kill()), opts.timeoutMs);
    deadline?.unref();
    this.exited = new Promise((resolve) => {
      let spawnError: Error | null = null;
      const done = (code: number | null, sig: NodeJS.Signals | null) => {
        signal?.removeEventListener('abort', onAbort);
        if (deadline) clearTimeout(deadline);
        const stderr = this.tail.slice(-keep) + (spawnError ? String(spawnError) : '');
        resolve({ code, signal: sig, stderr, cancelled: !!signal?.aborted, timedOut: this.timedOut, spawnError });
      };
      // 'error' without 'close' when the binary cannot be started.
      child.on('error', (err) => {
        spawnError ??= err;
        if (child.pid === undefined) done(null, null);
      });
      child.once('close', done);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The kept tail of stderr so far. */
  get stderr(): string {
    return this.tail.slice(-(this.opts.keepStderr ?? 32_000));
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** Asks it to end (`first`, e.g. SIGINT: ffmpeg finishes its file), SIGKILL after `graceMs` if it has not. */
  stop(first: NodeJS.Signals, graceMs: number): Promise<MediaExit> {
    if (this.running) {
      this.child.kill(first);
      const t = setTimeout(() => this.kill(), graceMs);
      t.unref();
      void this.exited.finally(() => clearTimeout(t));
    }
    return this.exited;
  }
}

export function startMediaProcess(bin: 'ffmpeg' | 'ffprobe', args: string[], opts: MediaProcessOptions): MediaProcess {
  return new MediaProcess(bin, args, opts);
}

/**
 * Runs a media process to its end. Resolves with its exit when it exited 0; otherwise rejects
 * with an FfmpegError: `cancelled`, `cannot run ffmpeg: …`, or `ffmpeg failed (exit 1): <its
 * error line>` (ffmpeg's own, not the stream description) unless `failed` words it.
 */
export async function runMediaProcess(
  bin: 'ffmpeg' | 'ffprobe',
  args: string[],
  opts: MediaProcessOptions & { failed?: (x: MediaExit) => string },
): Promise<MediaExit> {
  if (opts.signal?.aborted) throw new FfmpegError('cancelled', '');
  const x = await startMediaProcess(bin, args, opts).exited;
  if (x.cancelled) throw new FfmpegError('cancelled', warningTail(x.stderr));
  if (x.spawnError) throw new FfmpegError(`cannot run ${bin}: ${x.spawnError.message}`, '');
  if (x.timedOut) throw new FfmpegError(`${bin} did not finish within ${Math.round(opts.timeoutMs! / 1000)} s`, warningTail(x.stderr));
  if (x.code !== 0) throw new FfmpegError(opts.failed?.(x) ?? `${bin} failed (${x.signal ?? `exit ${x.code}`}): ${ffmpegErrorLine(x.stderr)}`, warningTail(x.stderr));
  return x;
}

/** Duration in seconds of a media file's longest stream, per ffprobe (at the job's role, like its ffmpeg; without one at this process's niceness). */
export async function probeDuration(file: string, signal?: AbortSignal, role?: MediaRole): Promise<number> {
  let out = '';
  const args = ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file];
  const unreadable = (x: MediaExit) => `ffprobe could not read ${path.basename(file)}: ${x.stderr.trim().split('\n').pop() ?? ''}`;
  const onStdout = (d: Buffer) => (out += d.toString('utf8'));
  const x = await runMediaProcess('ffprobe', args, { role: role ?? 'composite', nice: role ? undefined : 0, signal, onStdout, failed: unreadable });
  const v = Number.parseFloat(out.trim());
  if (!Number.isFinite(v)) throw new FfmpegError(unreadable(x), x.stderr);
  return v;
}

/**
 * Decoded audio keeps the packets' times: browsers send Opus with DTX (client/src/live/MediaSession.ts), so a
 * quiet room sends a packet every 400 ms instead of every 20 ms and the recorded WebM has holes.
 * A plain decode joins what is there and every later moment slides earlier — speech lands
 * seconds off the lesson clock, worse the quieter the room. aresample's async mode fills the
 * holes with silence (and never stretches by more than a sample a second).
 */
export const AUDIO_ON_TIME = 'aresample=async=1';
