// Every engine the comparison runs (tests/bench/vad-compare.ts), by name.
import { ConfirmedEnergyClassifier, GatedSileroClassifier } from './combined.js';
import { EnergyClassifier } from './energy.js';
import type { FrameClassifier } from './engine.js';
import { SileroClassifier } from './silero.js';
import { WebRtcClassifier } from './webrtc.js';

export const ENGINES: Record<string, () => FrameClassifier> = {
  energy: () => new EnergyClassifier(),
  'silero-v5': () => new SileroClassifier('v5'),
  'silero-legacy': () => new SileroClassifier('legacy'),
  'webrtc-2': () => new WebRtcClassifier(2),
  'webrtc-3': () => new WebRtcClassifier(3),
  'silero-v5+gate': () => new GatedSileroClassifier('v5'),
  'silero-legacy+gate': () => new GatedSileroClassifier('legacy'),
  'energy+silero-v5': () => new ConfirmedEnergyClassifier(),
};
