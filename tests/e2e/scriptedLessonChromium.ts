// A scripted lesson (tests/helpers/lessonSynth.ts) spoken through real Chromium clients: each
// room is a browser of its own whose microphone is Chromium's fake capture of that room's
// rendered WAV (--use-file-for-fake-audio-capture=FILE%noloop), with Chromium's own echo
// cancellation, noise suppression, gain control and Opus on the way; the teacher's console and
// the projectors join the lesson as people do, the real recorder and worker processes record,
// attribute and analyse it, and the research API codes it.
//
// One thing is held: each page's microphone request waits for a common instant (plus the room's
// scripted start offset), because a room's file carries the other rooms' leakage rendered
// against their files — if Chromium opened the three files a second apart, the leak would lie a
// second off from its source, which no real room does. Only the moment the device opens is
// chosen; everything after it is the product's. The camera is refused (a PC without one): the
// check is about sound, and three fake cameras would take the cores the audio needs.
//
// Where each file's first sample landed on the lesson clock is then measured from the recorded
// track (tests/helpers/recordedAlignment.ts), and the room's scripted speech is moved there.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import { AUDIO_ON_TIME } from '../../media/process.js';
import type { Span } from '../../server/contract/analysis/timeline.js';
import type { ReplayInfo } from '../../server/contract/recordings.js';
import type { LessonAnalysis } from '../../server/contract/research.js';
import { BandFeatureExtractor } from '../../workers/analysis/bandFeatures.js';
import type { RenderedLesson } from '../helpers/lessonSynth.js';
import { writeLessonWavs } from '../helpers/lessonSynth.js';
import { alignOffsetMs } from '../helpers/recordedAlignment.js';
import type { ScoredTrackInput } from '../helpers/scriptedLessonScore.js';
import { RATE } from '../helpers/speech.js';
import { signIn, signInDevice } from './actors.js';
import type { ProductServer } from './harness.js';
import { CHROMIUM_ARGS } from './playwright.config.js';

declare global {
  interface Window {
    __micAsked?: boolean;
    __micOpenAt?: number;
    __micOpenedAt?: number;
  }
}

export interface ChromiumLessonResult {
  lessonId: string;
  tracks: ScoredTrackInput[];
  window: LessonAnalysis;
  point: LessonAnalysis;
}

/** Runs in every page before the app: the microphone waits for window.__micOpenAt; the camera is absent. */
function holdMicrophone(): void {
  const md = navigator.mediaDevices;
  const open = md.getUserMedia.bind(md);
  md.getUserMedia = async (c?: MediaStreamConstraints) => {
    if (c?.video) throw new DOMException('no camera on this PC (scripted-sound test)', 'NotFoundError');
    if (c?.audio) {
      window.__micAsked = true;
      while (window.__micOpenAt === undefined) await new Promise((r) => setTimeout(r, 20));
      const wait = window.__micOpenAt - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const stream = await open(c);
      window.__micOpenedAt = Date.now();
      return stream;
    }
    return open(c);
  };
}

/** A recorded track's broadband-capable band levels on the lesson clock, from its joined WebM. */
function levelsOnClock(file: string, startMs: number): { frames: number; levels: Uint8Array } {
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-af', AUDIO_ON_TIME, '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'], { maxBuffer: 1 << 30 });
  const ex = new BandFeatureExtractor();
  ex.push(new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
  const own = ex.finish();
  const lead = Math.round(startMs / 10);
  const bands = own.levels.length / Math.max(1, own.frames);
  const levels = new Uint8Array((lead + own.frames) * bands);
  levels.set(own.levels, lead * bands);
  return { frames: lead + own.frames, levels };
}

export async function runScriptedLessonChromium(
  server: ProductServer,
  rendered: RenderedLesson,
  opts: { intervalS?: 15 | 30 | 60; log?: (s: string) => void } = {},
): Promise<ChromiumLessonResult> {
  const log = opts.log ?? (() => undefined);
  const demo = server.demo();
  const classroomRooms = rendered.rooms.filter((r) => r.role === 'classroom');
  if (classroomRooms.length > demo.deviceCodes.length) throw new Error(`the demo has ${demo.deviceCodes.length} classroom PCs`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-chromium-lesson-'));
  const files = writeLessonWavs(rendered, dir, { rate: 48_000 });
  const browsers: Browser[] = [];
  try {
    const pages = new Map<string, Page>();
    for (const room of rendered.rooms) {
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${files[room.id]}%noloop`],
      });
      browsers.push(browser);
      const context = await browser.newContext({ baseURL: server.url, permissions: ['microphone'], viewport: { width: 1280, height: 720 } });
      await context.addInitScript(holdMicrophone);
      pages.set(room.id, await context.newPage());
    }
    const researcherContext = await browsers[0].newContext({ baseURL: server.url });
    const researcher = await researcherContext.newPage();
    const teacherRoom = rendered.rooms.find((r) => r.role === 'teacher')!;
    const teacher = pages.get(teacherRoom.id)!;
    await signIn(server, teacher, 'teacher-wang');
    const codeOf = new Map(classroomRooms.map((r, i) => [r.id, demo.deviceCodes[i]]));
    for (const room of classroomRooms) await signInDevice(pages.get(room.id)!, codeOf.get(room.id)!.code);
    await signIn(server, researcher, 'researcher-zhao');

    await teacher.goto(`/lessons/${demo.lessonId}/teach`);
    for (const room of classroomRooms) await pages.get(room.id)!.goto(`/lessons/${demo.lessonId}/projector`);
    // Each page asks for its microphone when it joins the lesson, before class begins.
    for (const [id, page] of pages) await expect.poll(() => page.evaluate(() => window.__micAsked ?? false), { message: `${id} asks for its microphone` }).toBe(true);
    await expect(teacher.getByTestId('lesson-start')).toBeEnabled();
    await teacher.getByTestId('lesson-start').click();
    // The script's clock starts with the lesson's (give or take the 200 ms the pages are told in):
    // each microphone opens at its room's scripted offset from there.
    const at = Date.now() + 200;
    await Promise.all(rendered.rooms.map((room) => pages.get(room.id)!.evaluate((t) => (window.__micOpenAt = t), at + room.startOffsetMs)));
    for (const room of rendered.rooms) {
      const page = pages.get(room.id)!;
      await expect.poll(() => page.evaluate(() => window.__micOpenedAt ?? null), { message: `${room.id}'s microphone opened`, timeout: 30_000 }).not.toBeNull();
      const opened = await page.evaluate(() => window.__micOpenedAt!);
      log(`${room.id}: microphone opened ${opened - at - room.startOffsetMs} ms after its moment`);
    }
    // The lesson runs as long as its longest file (the one deliberate wait: the length under test).
    const endAt = at + Math.max(...rendered.rooms.map((r) => r.startOffsetMs + (r.pcm.length / RATE) * 1000)) + 1000;
    await teacher.waitForTimeout(Math.max(0, endAt - Date.now()));
    await teacher.getByTestId('lesson-end').click();
    log('lesson ended; waiting for attribution');

    const analysis = async (method: 'window' | 'point') => {
      const res = await researcher.request.get(`/api/research/lessons/${demo.lessonId}/analysis?interval=${opts.intervalS ?? 30}&method=${method}`);
      if (res.status() !== 200) throw new Error(`analysis ${method}: ${res.status()} ${await res.text()}`);
      return ((await res.json()) as { analysis: LessonAnalysis }).analysis;
    };
    await expect
      .poll(async () => (await analysis('window')).tracks.filter((t) => t.attribution === 'attributed').length, { message: 'every track attributed', timeout: 900_000, intervals: [2000] })
      .toBe(rendered.rooms.length);
    const replay = async () => ((await (await researcher.request.get(`/api/recordings/${demo.lessonId}`)).json()) as { replay: ReplayInfo }).replay;
    await expect
      .poll(async () => (await replay()).tracks.filter((t) => t.kind === 'audio' && t.fileUrl).length, { message: 'every audio track joined', timeout: 300_000, intervals: [2000] })
      .toBe(rendered.rooms.length);

    const tracks: ScoredTrackInput[] = [];
    for (const t of (await replay()).tracks.filter((x) => x.kind === 'audio')) {
      const room =
        t.owner === 'teacher' ? teacherRoom : classroomRooms.find((r) => t.label.startsWith(`${codeOf.get(r.id)!.school} ${codeOf.get(r.id)!.classroom}`));
      if (!room) throw new Error(`no scripted room for the track ${t.label}`);
      const file = path.join(dir, `${t.id}.webm`);
      writeFileSync(file, await (await researcher.request.get(t.fileUrl!)).body());
      const offsetMs = alignOffsetMs(room.pcm, levelsOnClock(file, t.startMs), 0, 60_000);
      log(`${room.id} (${t.label}): track starts at ${t.startMs} ms, its file's first sample at ${offsetMs} ms`);
      tracks.push({
        trackId: t.id,
        roomId: room.id,
        speaker: t.owner,
        classroomId: t.classroomId,
        offsetMs,
        truth: room.truth.map(([a, b]) => [a - room.startOffsetMs + offsetMs, b - room.startOffsetMs + offsetMs] as Span),
      });
    }
    return { lessonId: demo.lessonId, tracks, window: await analysis('window'), point: await analysis('point') };
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    // TONGBU_KEEP_SCRIPTED=1 keeps the rendered and recorded files for a look after a failure.
    if (process.env.TONGBU_KEEP_SCRIPTED) log(`files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
