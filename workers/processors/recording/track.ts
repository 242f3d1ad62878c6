// One recorded segment (VP8 or Opus in WebM, copied from RTP by the recorder) → H.264 or AAC
// in MPEG-TS, an HLS segment of the track's research playback. Timestamps are offset to the
// segment's place on the track's timeline so the track's segments play back to back.
import type { Job } from 'bullmq';
import { trackJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import path from 'node:path';
import { inputDuration, runFfmpeg } from '../../recording/ffmpeg.js';
import { AUDIO_ON_TIME, FfmpegError } from '../../../media/process.js';
import { parseJob, writeAtomically } from './common.js';

export interface TrackResult {
  durationS: number;
  cpuS: number;
}

export function trackProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<TrackResult> => {
    const data = parseJob(trackJob, job);
    const input = resolveIn(dataDir, data.input);
    const codec =
      data.kind === 'video'
        ? // VFR passthrough: the recorder's WebM carries the real frame times; ffprobe's frame
          // rate guess for it is wrong, so never resample to a guessed constant rate.
          // ultrafast: under overload research playback must keep up with the lesson; it costs
          // a third of superfast's CPU (0.4 vs 1.2 CPU-s per 4 s of 720p20) for larger files.
          ['-map', '0:v:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '28', '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough',
           // Timestamps are repaired, not fatal: under CPU load the recorder writes frames with
           // equal or backward times (RTP bursts). The encoder's default time base is 1/<guessed
           // frame rate>, which also rounds close frames onto one tick; at 1/90000 (VP8's RTP
           // clock) nothing is rounded, and setpts moves a frame that is not after the previous
           // one to 1 ms after it, so x264 never sees a repeated PTS and the muxer never sees a
           // non-monotonic DTS (which -xerror, kept for real damage, turns into a failed segment).
           '-enc_time_base:v', '1:90000',
           '-vf', `setpts='if(lte(PTS,PREV_OUTPTS),PREV_OUTPTS+max(1,floor(0.001/TB)),PTS)',scale='min(1280,iw)':-2`, '-g', '60']
        : // DTX holes (see media/process.ts AUDIO_ON_TIME) filled with silence, so the AAC stream keeps time.
          ['-map', '0:a:0', '-af', AUDIO_ON_TIME, '-c:a', 'aac', '-b:a', '96k', '-ar', '48000'];
    // One process per segment: ffmpeg itself says how long its input is and where its output
    // ended. Under overload a process start is most of a segment's cost (each ffprobe cost as
    // much CPU as transcoding 4 s of audio), so the two ffprobe runs around it are gone.
    const r = await writeAtomically(resolveIn(dataDir, data.output), async (tmp) => {
      const run = await runFfmpeg(
        ['-xerror', '-i', input, ...codec, '-output_ts_offset', String(data.offsetMs / 1000), '-muxdelay', '0', '-f', 'mpegts', tmp],
        // Research playback is what people wait for after class: it goes before the composite.
        // No progress reports: a 4 s segment takes a second or two, and every report is a
        // database write on the web side, queued behind the lesson's other updates.
        { signal, role: 'playback' },
      ).catch((err: Error) => {
        // A segment the demuxer cannot open is unreadable: ffmpeg's error then names the file
        // ("<file>: Invalid data found when processing input"), and that line says why.
        const tailText = (err as FfmpegError).stderrTail ?? '';
        const open = tailText.split('\n').find((l) => /\[(error|fatal)\] /.test(l) && l.includes(input));
        const why = open ? open.slice(open.indexOf('] ', open.search(/\[(error|fatal)\] /)) + 2).replace(input, path.basename(input)) : null;
        throw new FfmpegError(`segment ${data.seq} of track ${data.trackId}${why ? ` is unreadable: ${why}` : `: ${err.message}`}`, tailText);
      });
      // The demuxer reads a cut-off WebM to its end and says so only on stderr.
      const damage = /File ended prematurely|Truncating packet|Invalid data found|corrupt/i.exec(run.stderr);
      if (damage) throw new FfmpegError(`segment ${data.seq} of track ${data.trackId} is truncated or corrupt (${damage[0]})`, run.stderr.slice(-2000));
      if (run.outTimeS === null) throw new FfmpegError(`segment ${data.seq} of track ${data.trackId}: ffmpeg wrote no ${data.kind}`, run.stderr.slice(-2000));
      return run;
    });
    // What the segment plays: its input's length when the output reached it (out_time is the
    // last frame's start, a frame short of the end), else where the output really ended.
    const inS = inputDuration(r.stderr);
    let durationS = inS !== null && r.outTimeS! >= inS - 0.25 ? inS : r.outTimeS!;
    // A picture lasts until the next one. The container's duration ends at the last frame's
    // start; the segment itself lasts until the recorder cut it, at the next segment's first key
    // frame. A busy browser sends a few frames a second, so that is a quarter second or more
    // of every segment: the playlist then marked a gap after each one. A complete output plays
    // its last frame to the segment's end — but never more than 1 s of a still picture: a camera
    // that sent nothing for longer than that is not counted as recorded.
    const plannedS = data.plannedMs !== undefined ? data.plannedMs / 1000 : null;
    if (data.kind === 'video' && inS !== null && durationS === inS && plannedS !== null && plannedS > durationS) durationS = Math.min(plannedS, durationS + 1);
    await job.updateProgress(100);
    return { durationS: Math.round(durationS * 1000) / 1000, cpuS: r.cpuS };
  };
}
