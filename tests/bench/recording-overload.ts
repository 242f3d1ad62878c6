// Benchmark: recording under CPU overload — a lesson (teacher camera + mic and two classrooms'
// cameras + mics as ffmpeg RTP sources) recorded and processed while stress-ng saturates every
// core, one classroom's network cut and reconnected three times. The same run as the CI test
// tests/integration/recording-overload.test.ts (tests/helpers/overloadLesson.ts), at full
// length: the web role in-process (mediasoup, recorders, PGlite), the processing workers in
// their own process on a real Redis, as the product runs them. Measures every track's coverage
// outside its marked gaps (audio ≥ 99 %, video ≥ 95 %), failed segments, and lesson end →
// research playback ready (≤ 60 s) with stress-ng still running; the composite after that.
//
//   npm run bench -- recording-overload            45-minute lesson (≈ 47 min + processing)
//   npx tsx tests/bench/recording-overload.ts --minutes=3     a short verification run
// Options: --minutes=45 --playback-wait=600 --composite-wait=600 (or BENCH_MINUTES, …).
// stress-ng runs for the lesson plus 2 minutes at most (--timeout), and stops once research
// playback is ready.
import os from 'node:os';
import { LOAD_AT_START, log as blog, machine, round, today, updateDocRow, writeResult } from './lib.js';
import { runOverloadLesson } from '../helpers/overloadLesson.js';

const NAME = 'recording-overload';
const log = (...a: unknown[]) => blog(NAME, ...a);
const arg = (k: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? process.env[`BENCH_${k.toUpperCase().replace('-', '_')}`] ?? d);
const MINUTES = arg('minutes', 45);
const COMPOSITE_WAIT_S = arg('composite-wait', 600);
const PLAYBACK_WAIT_S = arg('playback-wait', 600);

async function main(): Promise<void> {
  const lessonS = Math.round(MINUTES * 60);
  // Three cuts of the second classroom's network, spread over the lesson (as in the CI test).
  const cuts = [
    { atS: Math.round(lessonS * 0.2), forS: 8 },
    { atS: Math.round(lessonS * 0.47), forS: 12 },
    { atS: Math.round(lessonS * 0.73), forS: 8 },
  ];
  const r = await runOverloadLesson({
    lessonS,
    cuts,
    playbackWaitS: PLAYBACK_WAIT_S,
    compositeWaitS: COMPOSITE_WAIT_S,
    burnThroughProcessing: true,
    log: (m) => log(m),
  });
  const f = r.figures;
  const unanswered = r.probes.filter((p) => p.ms === null).length;
  const probeMax = Math.max(0, ...r.probes.map((p) => p.ms ?? 0));
  const meets = r.playbackReady && f.audio_coverage >= 0.99 && f.video_coverage >= 0.95 && f.failed_segments === 0 && r.playbackReadyS <= 60 && unanswered === 0 && r.disconnects === 0 && r.endAckMs <= 2_000;
  const result = {
    benchmark: NAME,
    audio_coverage: f.audio_coverage,
    video_coverage: f.video_coverage,
    failed_segments: f.failed_segments,
    playback_ready_s: r.playbackReadyS,
    playback_ready_within_wait: r.playbackReady,
    composite_ready_s: r.compositeReadyS,
    method:
      'coverage = seconds research playback plays — the track’s joined WebM (packet times; a hole counts beyond 1 s of video / 0.5 s of audio), else its transcoded segments’ durations — over the track’s span (first recorded instant → lesson end) minus the gaps marked in recording_gaps; worst track per kind. ' +
      'hls_* = the same from the transcoded segments (HLS), taken once they are all done (transcodes_done_s). ' +
      '*_lesson_coverage: the same from the lesson clock’s zero (a late recorder start counts against it).',
    detail: {
      lesson_min: MINUTES,
      lesson_recorded_s: f.lesson_recorded_s,
      audio_lesson_coverage: f.audio_lesson_coverage,
      video_lesson_coverage: f.video_lesson_coverage,
      segments: f.segments,
      transcodes_done_s: r.transcodesDoneS,
      hls_audio_coverage: round(Math.min(1, ...f.tracks.filter((t) => t.kind === 'audio').map((t) => t.hlsCoverage)), 4),
      hls_video_coverage: round(Math.min(1, ...f.tracks.filter((t) => t.kind === 'video').map((t) => t.hlsCoverage)), 4),
      tracks: f.tracks,
      gaps: f.gaps,
      cuts_ms: r.cutWindowsMs,
      track_start_late_ms: r.startLateMs,
      signalling: { probes: r.probes.length, unanswered, max_ms: probeMax, disconnects: r.disconnects, lesson_end_ack_ms: r.endAckMs },
      load: {
        burner: `stress-ng --cpu ${r.load.cores} (every core)`,
        cores: r.load.cores,
        load_avg_during: r.load.avg,
        load_max: r.load.max,
        stress_ng_s: r.load.stressNgBoundS,
        load_at_start: LOAD_AT_START,
        load_now: round(os.loadavg()[0], 2),
      },
      sources: 'teacher VP8 1280x720 20 fps + Opus; two classrooms VP8 640x360 20 fps + Opus (ffmpeg RTP)',
      targets: { audio_coverage: 0.99, video_coverage: 0.95, playback_ready_s: 60, failed_segments: 0, lesson_end_ack_ms: 2000 },
      meets_targets: meets,
    },
    machine: machine(),
    load_at_start: LOAD_AT_START,
    date: today(),
  };
  log(JSON.stringify(result, null, 2));
  writeResult(NAME, {
    metrics: { audio_coverage: f.audio_coverage, video_coverage: f.video_coverage, failed_segments: f.failed_segments, playback_ready_s: r.playbackReadyS, playback_ready_within_wait: r.playbackReady, lesson_end_ack_ms: r.endAckMs },
    load: result.detail.load,
    method: result.method,
    detail: { ...result.detail, composite_ready_s: r.compositeReadyS },
  });
  updateDocRow({
    benchmark: NAME,
    figures:
      `${MINUTES}-min lesson, stress-ng on all ${r.load.cores} cores (load ≈ ${r.load.avg}), 3 network cuts: audio **${round(f.audio_coverage * 100, 1)} %**, video **${round(f.video_coverage * 100, 1)} %** ` +
      `(worst track, outside marked gaps), **${f.failed_segments}** failed of ${f.segments} segments, playback ready **${r.playbackReadyS} s** after the end, all segments transcoded ` +
      `${r.transcodesDoneS == null ? 'not within the wait' : `${r.transcodesDoneS} s`}, composite ` +
      `${r.compositeReadyS == null ? `not within ${COMPOSITE_WAIT_S} s` : `${r.compositeReadyS} s`}; signalling max ${probeMax} ms, 下课 answered in ${r.endAckMs} ms, ${r.disconnects} disconnects — ${meets ? 'meets' : 'MISSES'} targets`,
    target: 'audio ≥ 99 %, video ≥ 95 % of every track outside marked gaps; research playback ≤ 60 s after the end; 下课 answered ≤ 2 s (45-min lesson)',
  });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
