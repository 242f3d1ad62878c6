// One window of the composite: screen/slides large, the teacher camera large when nothing is
// shared and as an inset while something is, the on-stage classroom as a second inset while
// it is on stage, every microphone mixed. Windows are rendered while the lesson is still on,
// as their segments close, so at the end only the last one (and a concatenation) remain.
import type { Job } from 'bullmq';
import { COMPOSITE, windowJob, type WindowJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { runFfmpeg } from '../../recording/ffmpeg.js';
import { parseJob, progress, writeAtomically } from './common.js';

export interface WindowResult {
  durationS: number;
  cpuS: number;
}

const INSET = { w: 320, h: 180, margin: 16 };

type Iv = [number, number];

/** Sorted, merged, non-empty intervals. */
function union(iv: Iv[]): Iv[] {
  const out: Iv[] = [];
  for (const [a, b] of iv.filter(([x, y]) => y > x).sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** `from` without `minus` (both any intervals). */
function subtract(from: Iv[], minus: Iv[]): Iv[] {
  const cut = union(minus);
  const out: Iv[] = [];
  for (const [a0, b] of union(from)) {
    let a = a0;
    for (const [x, y] of cut) {
      if (y <= a || x >= b) continue;
      if (x > a) out.push([a, x]);
      a = Math.max(a, y);
    }
    if (b > a) out.push([a, b]);
  }
  return out;
}

const intersect = (a: Iv[], b: Iv[]): Iv[] => subtract(a, subtract(a, b));

/** The ffmpeg arguments (inputs, filtergraph, maps) for a window; exported for tests. */
export function windowArgs(w: WindowJob, resolve: (rel: string) => string): string[] {
  const { width: W, height: H, fps } = COMPOSITE;
  const durS = (w.endMs - w.startMs) / 1000;
  const sec = (ms: number) => ((ms - w.startMs) / 1000).toFixed(3);
  const between = (iv: Iv[]) => {
    const parts = iv
      .filter(([a, b]) => b > w.startMs && a < w.endMs)
      .map(([a, b]) => `between(t,${sec(Math.max(a, w.startMs))},${sec(Math.min(b, w.endMs))})`);
    return parts.length ? parts.join('+') : null;
  };
  const whole: Iv[] = [[w.startMs, w.endMs]];
  // Where an input has a picture: its segment's span (a job without endMs: to the window's end).
  const span = (inp: WindowJob['inputs'][number]): Iv[] => intersect(whole, [[inp.startMs, inp.endMs ?? w.endMs]]);
  const args: string[] = [];
  const f: string[] = [`color=c=black:s=${W}x${H}:r=${fps}:d=${durS.toFixed(3)}[base0]`];
  let cur = 'base0';
  let n = 0;
  const next = () => `v${++n}`;
  const place = (i: number, inp: WindowJob['inputs'][number]) =>
    `[${i}:v]setpts=PTS-STARTPTS+${((inp.startMs - w.startMs) / 1000).toFixed(3)}/TB,trim=start=0:end=${durS.toFixed(3)}`;
  const overlay = (src: string, x: string, y: string, enable: string | null) => {
    const out = next();
    f.push(`[${cur}][${src}]overlay=x=${x}:y=${y}:eof_action=pass:repeatlast=0${enable ? `:enable='${enable}'` : ''}[${out}]`);
    cur = out;
  };
  const screenShown = between(w.screenIntervals);
  const withIndex = w.inputs.map((inp, i) => ({ inp, i }));
  const byRole = (role: string) => withIndex.filter((x) => x.inp.role === role);
  // The composite shows what was recorded: where neither the screen nor the teacher's camera
  // has a picture (a failed segment, a recorder gap), a classroom camera fills the frame.
  const noMain = subtract(whole, [...byRole('teacherCam'), ...byRole('screen')].flatMap(({ inp }) => span(inp)));
  const classroom = byRole('classroomCam').map(({ inp, i }) => {
    const big = intersect(noMain, span(inp));
    const inset = subtract(intersect(inp.shown ?? [], span(inp)), noMain);
    return { inp, i, big, inset, onStage: (inp.shown ?? []).length > 0 };
  });
  const inputIndex = new Map<number, number>();
  // Only inputs that will be drawn or heard are decoded.
  const shownClassroom = new Set(classroom.filter((c) => c.big.length || c.inset.length).map((c) => c.i));
  for (const { inp, i } of withIndex) {
    if (inp.role === 'classroomCam' && !shownClassroom.has(i)) continue;
    inputIndex.set(i, inputIndex.size);
    args.push('-i', resolve(inp.path));
  }
  const fit = (w2: number, h2: number) =>
    `scale=${w2}:${h2}:force_original_aspect_ratio=decrease,pad=${w2}:${h2}:(ow-iw)/2:(oh-ih)/2`;
  for (const { inp, i } of byRole('teacherCam')) {
    const k = inputIndex.get(i)!;
    const big = `tb${k}`;
    if (screenShown) {
      f.push(`${place(k, inp)},split[tl${k}][ts${k}]`, `[tl${k}]${fit(W, H)}[${big}]`, `[ts${k}]${fit(INSET.w, INSET.h)}[tin${k}]`);
    } else {
      f.push(`${place(k, inp)},${fit(W, H)}[${big}]`);
    }
    overlay(big, '0', '0', null);
  }
  for (const { inp, i } of byRole('screen')) {
    const k = inputIndex.get(i)!;
    f.push(`${place(k, inp)},${fit(W, H)}[sc${k}]`);
    overlay(`sc${k}`, '0', '0', null);
  }
  // Full-frame classrooms where there is no main picture; the on-stage one drawn last, on top.
  const drawn = classroom.filter((c) => inputIndex.has(c.i));
  for (const c of drawn) {
    const k = inputIndex.get(c.i)!;
    const outs = [c.big.length ? `crb${k}` : null, c.inset.length ? `cri${k}` : null].filter((x): x is string => !!x);
    const src = outs.length === 2 ? `${place(k, c.inp)},split[crB${k}][crI${k}]` : null;
    if (src) f.push(src);
    if (c.big.length) f.push(`${src ? `[crB${k}]` : `${place(k, c.inp)},`}${fit(W, H)}[crb${k}]`);
    if (c.inset.length) f.push(`${src ? `[crI${k}]` : `${place(k, c.inp)},`}${fit(INSET.w, INSET.h)}[cri${k}]`);
  }
  for (const c of [...drawn].sort((a, b) => Number(a.onStage) - Number(b.onStage))) {
    if (c.big.length) overlay(`crb${inputIndex.get(c.i)!}`, '0', '0', between(c.big));
  }
  if (screenShown) {
    for (const { i } of byRole('teacherCam')) {
      const k = inputIndex.get(i)!;
      overlay(`tin${k}`, `${W - INSET.w - INSET.margin}`, `${INSET.margin}`, screenShown);
    }
  }
  for (const c of drawn) {
    if (c.inset.length) overlay(`cri${inputIndex.get(c.i)!}`, `${W - INSET.w - INSET.margin}`, `${H - INSET.h - INSET.margin}`, between(c.inset));
  }
  // Audio: silence as long as the window first, so the mix is exactly the window long.
  const audio = byRole('audio').map(({ inp, i }) => ({ inp, k: inputIndex.get(i)! }));
  f.push(`anullsrc=r=48000:cl=stereo,atrim=end=${durS.toFixed(3)}[a0]`);
  const mixIn = ['[a0]'];
  for (const { inp, k } of audio) {
    f.push(
      `[${k}:a]asetpts=PTS-STARTPTS+${((inp.startMs - w.startMs) / 1000).toFixed(3)}/TB,atrim=start=0:end=${durS.toFixed(3)},` +
        `aresample=48000:async=1:first_pts=0,aformat=sample_rates=48000:channel_layouts=stereo[au${k}]`,
    );
    mixIn.push(`[au${k}]`);
  }
  f.push(`${mixIn.join('')}amix=inputs=${mixIn.length}:duration=first:normalize=0[aout]`);
  args.push(
    '-filter_complex', f.join(';'),
    '-map', `[${cur}]`, '-map', '[aout]',
    '-c:v', 'libx264', '-preset', 'superfast', '-crf', '28', '-pix_fmt', 'yuv420p',
    // A key frame every 10 s (and at every window start): the thumbnail sprite decodes only these.
    '-g', String(fps * 10), '-keyint_min', String(fps * 10), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '2',
    '-t', durS.toFixed(3),
    '-output_ts_offset', (w.startMs / 1000).toFixed(3), '-muxdelay', '0',
    '-f', 'mpegts',
  );
  return args;
}

export function windowProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<WindowResult> => {
    const data = parseJob(windowJob, job);
    const durS = (data.endMs - data.startMs) / 1000;
    const args = windowArgs(data, (p) => resolveIn(dataDir, p));
    const run = await writeAtomically(resolveIn(dataDir, data.output), (tmp) =>
      runFfmpeg([...args, tmp], { signal, totalS: durS, onProgress: progress(job) }),
    );
    await job.updateProgress(100);
    return { durationS: durS, cpuS: run.cpuS };
  };
}
