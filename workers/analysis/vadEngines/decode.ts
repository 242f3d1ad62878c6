// One ffmpeg decode of a file's first audio stream to 16 kHz mono s16le, streamed into a frame
// classifier. A model engine is slower than ffmpeg, so ffmpeg's stdout is paused while blocks
// wait: memory stays at a few blocks (64 KiB each) whatever the track's length.
import { AUDIO_ON_TIME, startMediaProcess } from '../../../media/process.js';
import { VadError, type VadOptions } from '../vad.js';
import { RATE, type FrameClassifier, type FrameDecisions } from './engine.js';

/** Blocks queued for the classifier before ffmpeg's stdout is paused. */
const MAX_QUEUED = 4;

export async function classifyFile(file: string, classifier: FrameClassifier, opts: VadOptions = {}): Promise<FrameDecisions> {
  const { signal, onPcm } = opts;
  if (signal?.aborted) throw new VadError('cancelled');
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:a:0', '-af', AUDIO_ON_TIME, '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'];
  let carry: Buffer | null = null;
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  let failure: unknown = null;
  let proc: ReturnType<typeof startMediaProcess> | null = null;
  const onStdout = (chunk: Buffer) => {
    if (failure) return;
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const even = buf.length - (buf.length % 2);
    carry = even < buf.length ? buf.subarray(even) : null;
    buf = buf.subarray(0, even);
    const samples = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    onPcm?.(samples);
    queued++;
    if (queued >= MAX_QUEUED) proc?.child.stdout?.pause();
    chain = chain.then(async () => {
      try {
        if (!failure) await classifier.push(samples);
      } catch (err) {
        failure = err;
        proc?.kill();
      } finally {
        // Always: a paused stdout after a failure would keep ffmpeg's pipe from closing.
        queued--;
        if (queued < MAX_QUEUED) proc?.child.stdout?.resume();
      }
    });
  };
  proc = startMediaProcess('ffmpeg', args, { role: 'analysis', nice: opts.nice ?? 0, signal, onStdout, keepStderr: 4000 });
  const x = await proc.exited;
  await chain;
  if (failure) throw failure;
  if (x.cancelled) throw new VadError('cancelled');
  if (x.spawnError) throw new VadError(`cannot run ffmpeg: ${x.spawnError.message}`);
  if (x.code !== 0) {
    const line = x.stderr.trim().split('\n').pop() ?? '';
    throw new VadError(`cannot decode ${file}: ${line || `ffmpeg exit ${x.code}`}`);
  }
  return classifier.finish();
}
