// Our own detector (vad.ts) as an engine: speech-band energy against an adaptive noise floor,
// with spectral flatness and zero-crossing rate for the weak frames. It streams the features
// (three numbers per 10 ms) and decides at the end, because the floor is a sliding percentile
// over ±8 s and a track-wide cap, i.e. it looks ahead.
import { FeatureExtractor, FEATURE_SHIFT_MS, frameDecisions, VAD_PARAMS, type FrameFeatures } from '../vad.js';
import type { FrameClassifier, FrameDecisions } from './engine.js';

export class EnergyClassifier implements FrameClassifier {
  readonly name = 'energy';
  private readonly extractor = new FeatureExtractor();
  private feats: FrameFeatures | null = null;

  constructor(private readonly params = VAD_PARAMS) {}

  push(pcm: Int16Array): void {
    this.extractor.push(pcm);
  }

  finish(): FrameDecisions {
    this.feats = this.extractor.finish();
    return { speech: frameDecisions(this.feats, this.params), shiftMs: FEATURE_SHIFT_MS };
  }

  /** The features behind the decisions (after finish): a combination reuses the floor. */
  features(): FrameFeatures {
    if (!this.feats) throw new Error('EnergyClassifier.features() before finish()');
    return this.feats;
  }
}
