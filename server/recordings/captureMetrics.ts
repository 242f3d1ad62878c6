// Counters of the capture side, registered on the /metrics registry by server/metrics.ts.
// Module-level (not per registry) because recorders count from wherever they run.
import client from 'prom-client';

/** Recorders the watchdog restarted: live source, nothing written for two segment lengths. */
export const recorderWatchdogRestarts = new client.Counter({
  name: 'tongbu_recorder_watchdog_restarts_total',
  help: 'Recorder processes restarted because they wrote nothing for two segment lengths while their source was live',
  registers: [],
});

/**
 * Recorder processes by state: `armed` (ready in a lesson's lobby, waiting for go-live) and
 * `recording` (media reaching ffmpeg). Armed ones show an operator — and a test — that a
 * lesson started now is recorded from its first instant.
 */
export const recorderRuns = new client.Gauge({
  name: 'tongbu_recorder_runs',
  help: 'Recorder processes: armed (ready before go-live) or recording',
  labelNames: ['state'],
  registers: [],
});

/**
 * Key frames a recorder asked for because its ffmpeg lost packets: its depacketizer drops every
 * frame after a loss until the next key frame, so each is a hole in the recording repaired now
 * instead of at the next segment's key frame (up to a segment later).
 */
export const recorderLossKeyFrames = new client.Counter({
  name: 'tongbu_recorder_loss_keyframes_total',
  help: 'Key frames requested by recorders whose ffmpeg reported lost RTP packets',
  registers: [],
});
