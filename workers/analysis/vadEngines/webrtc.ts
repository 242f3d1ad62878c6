// WebRTC's voice-activity detector (libfvad: a Gaussian-mixture model over six sub-band
// energies, 10-ms frames) as an engine, from @echogarden/fvad-wasm (WASM, no native code).
// Aggressiveness 0–3: the higher, the fewer noise frames it lets through (and the more quiet
// speech it loses). One WASM instance per process (lazy), one detector state per track.
import type { FvadModule } from '@echogarden/fvad-wasm';
import { VadError } from '../vad.js';
import { FRAME, RATE, type FrameClassifier, type FrameDecisions } from './engine.js';

let wasm: Promise<FvadModule> | null = null;

function loadFvad(): Promise<FvadModule> {
  wasm ??= import('@echogarden/fvad-wasm')
    .then((m) => m.default())
    .catch((err: Error) => {
      wasm = null;
      throw new VadError(`cannot load the WebRTC VAD: ${err.message}`);
    });
  return wasm;
}

export class WebRtcClassifier implements FrameClassifier {
  readonly name: string;
  private mod: FvadModule | null = null;
  private inst = 0;
  private buf = 0;
  private readonly pending = new Int16Array(FRAME);
  private filled = 0;
  private out: number[] = [];

  constructor(private readonly mode: 0 | 1 | 2 | 3 = 3) {
    this.name = `webrtc-${mode}`;
  }

  async push(pcm: Int16Array): Promise<void> {
    if (!this.mod) await this.init();
    const mod = this.mod!;
    for (let i = 0; i < pcm.length; i++) {
      this.pending[this.filled++] = pcm[i];
      if (this.filled === FRAME) {
        this.filled = 0;
        mod.HEAP16.set(this.pending, this.buf >> 1);
        this.out.push(mod._fvad_process(this.inst, this.buf, FRAME) === 1 ? 1 : 0);
      }
    }
  }

  async finish(): Promise<FrameDecisions> {
    if (!this.mod) await this.init();
    this.mod!._fvad_free(this.inst);
    this.mod!._free(this.buf);
    return { speech: Uint8Array.from(this.out), shiftMs: 0 };
  }

  private async init(): Promise<void> {
    const mod = await loadFvad();
    this.inst = mod._fvad_new();
    if (!this.inst || mod._fvad_set_sample_rate(this.inst, RATE) !== 0 || mod._fvad_set_mode(this.inst, this.mode) !== 0) throw new VadError('cannot set up the WebRTC VAD');
    this.buf = mod._malloc(FRAME * 2);
    this.mod = mod;
  }
}
