// Synthesised speech for voice-activity and classroom-analysis tests: espeak-ng (Debian) speaks a
// long unpunctuated text, ffmpeg resamples it to 16 kHz mono, and a track is assembled sample
// by sample from a script of [startMs, endMs] speech intervals over a seeded noise floor — so
// the true boundaries are known to the sample.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export const RATE = 16_000;

const TEXTS: Record<string, string> = {
  cmn: '老师今天讲分数的意义同学们想一想把一个整体平均分成几份其中的一份就是几分之一我们一起来看这个蛋糕切成四块每块是四分之一再看这张纸对折以后每一半是二分之一请大家拿出学具动手折一折说一说你发现了什么',
  // More Chinese lesson talk, so rooms of one lesson do not speak the same words (each room of a
  // synthetic lesson reads its own text; see lessonSynth.ts).
  cmn2: '同学们好我们第二小组来回答这个问题我们认为三分之一比四分之一大因为把同一个蛋糕分成三份每一份比分成四份的时候更大所以分的份数越多每一份就越小我们还画了一张图来说明',
  cmn3: '老师我有一个问题如果两个蛋糕不一样大那么它们的二分之一还一样大吗我觉得不一样因为整体不同一半也不同我们组讨论了很久最后大家都同意了这个想法请老师和其他同学帮我们看一看',
  cmn4: '现在请大家打开课本第三十二页看例题二小明吃了这块饼的八分之三小红吃了八分之二他们一共吃了多少还剩下多少先自己想一想然后和同桌说一说你的方法最后我们请几位同学上来讲一讲',
  cmn5: '春天来了小草从地下探出头来柳树发芽了桃花开了燕子从南方飞回来了田野里到处是绿色我们一起朗读课文注意读出春天的美好声音要响亮读得要有感情读完以后说说你最喜欢哪一句',
  'en-us': 'the pupils read the story together and then each group tells the class what the main character wanted and why the ending surprised them so much that they laughed',
};

const cache = new Map<string, Int16Array>();

/** Names of the built-in texts (cmn, cmn2 … cmn5, en-us). */
export const TEXT_NAMES = Object.keys(TEXTS);

/** Continuous speech (leading/trailing silence removed) in the given espeak-ng voice. */
export function speechPcm(voice: 'cmn' | 'en-us' = 'cmn', speed = 165): Int16Array {
  return voicePcm({ voice, speed, text: voice });
}

export interface VoiceSpec {
  /** espeak-ng voice, variants allowed: 'cmn', 'cmn+f3', 'cmn+m2', 'en-us+f1'. */
  voice: string;
  /** Words per minute (espeak -s), default 165. */
  speed?: number;
  /** Pitch 0–99 (espeak -p), default espeak's 50. */
  pitch?: number;
  /** A name of TEXT_NAMES, default the voice's language ('cmn' or 'en-us'). */
  text?: string;
}

/**
 * espeak-ng speech of one built-in text in one voice/pitch/speed, 16 kHz mono, silence trimmed.
 * Cached per (voice, speed, pitch, text) for the process: a test renders many tracks from a few
 * voices and espeak is the slow part.
 */
export function voicePcm(spec: VoiceSpec): Int16Array {
  const speed = spec.speed ?? 165;
  const text = spec.text ?? (spec.voice.startsWith('en') ? 'en-us' : 'cmn');
  const body = TEXTS[text];
  if (!body) throw new Error(`unknown text ${text}`);
  const key = `${spec.voice}:${speed}:${spec.pitch ?? ''}:${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const args = ['-v', spec.voice, '-s', String(speed)];
  if (spec.pitch !== undefined) args.push('-p', String(spec.pitch));
  const wav = execFileSync('espeak-ng', [...args, '--stdout', body], { maxBuffer: 64 << 20 });
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', 'pipe:0', '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'], {
    input: wav,
    maxBuffer: 64 << 20,
  });
  const pcm = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  let a = 0;
  let b = pcm.length - 1;
  while (a < b && Math.abs(pcm[a]) < 300) a++;
  while (b > a && Math.abs(pcm[b]) < 300) b--;
  const trimmed = pcm.slice(a, b + 1);
  cache.set(key, trimmed);
  return trimmed;
}

export interface TrackSpec {
  durationMs: number;
  speech: Array<[number, number]>;
  voice?: 'cmn' | 'en-us';
  speed?: number;
  /** Peak speech gain (1 = espeak's level). */
  gain?: number;
  /** RMS of the background noise in dBFS (white noise + a 100 Hz hum), e.g. -55 quiet, -38 noisy. */
  noiseDb?: number;
  seed?: number;
  /** Offset into the speech source, so two tracks do not say the same words at once. */
  speechOffsetMs?: number;
}

/** A mono 16 kHz track: noise everywhere, speech inside each interval. */
export function renderTrack(spec: TrackSpec): Int16Array {
  const n = Math.round((spec.durationMs * RATE) / 1000);
  const out = new Float32Array(n);
  const noiseAmp = 10 ** ((spec.noiseDb ?? -60) / 20);
  let s = spec.seed ?? 1;
  const rand = () => {
    // xorshift32: deterministic noise, so a failing test fails the same way every run.
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const white = (rand() + rand() + rand() - 1.5) * 2; // ~unit-RMS, roughly Gaussian
    const hum = 0.5 * Math.sin((2 * Math.PI * 100 * i) / RATE);
    out[i] = noiseAmp * (white * 0.8 + hum);
  }
  const src = speechPcm(spec.voice ?? 'cmn', spec.speed ?? 165);
  const gain = spec.gain ?? 1;
  let pos = Math.round(((spec.speechOffsetMs ?? 0) * RATE) / 1000) % src.length;
  for (const [a, b] of spec.speech) {
    const i0 = Math.round((a * RATE) / 1000);
    const i1 = Math.min(n, Math.round((b * RATE) / 1000));
    for (let i = i0; i < i1; i++) {
      out[i] += (gain * src[pos]) / 32768;
      pos = (pos + 1) % src.length;
    }
  }
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(out[i] * 32768)));
  return pcm;
}

export function writeWav(file: string, pcm: Int16Array, rate = RATE): void {
  const header = Buffer.alloc(44);
  const bytes = pcm.length * 2;
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + bytes, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(bytes, 40);
  writeFileSync(file, Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, bytes)]));
}
