// Issue 13's check through real Chromium clients: the scripted 对话型 lesson (a teacher and two
// classrooms that hear each other, room noise that changes mid-lesson, quiet far-field pupils,
// answers over the teacher; tests/helpers/lessonScripts.ts) is spoken into the teacher's console
// and two projectors by Chromium's fake audio capture, recorded, attributed and coded by the
// product; the research API's figures must match the script (the bar of the issue).
//
// Not yet met, so not run by `npm test` (TONGBU_ANALYSIS_CHROMIUM=1 runs it; issue 13 stays
// open on it): Chromium's noise suppression leaves a classroom's murmur as speech-like bursts
// over a silenced floor, and the detector calls them speech (first runs: the murmuring room's
// false alarm 0.88, the teacher's 0.09 against the bar's 0.05; agreement 0.8). What was found and
// changed on the way — DTX holes, the browser's gain control — is in docs/research.md.
import { test, expect } from '@playwright/test';
import { LESSON_SCRIPTS } from '../helpers/lessonScripts.js';
import { renderLesson } from '../helpers/lessonSynth.js';
import { scoreScriptedLesson } from '../helpers/scriptedLessonScore.js';
import { ProductServer } from './harness.js';
import { runScriptedLessonChromium } from './scriptedLessonChromium.js';

const server = new ProductServer();

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.skip(!process.env.TONGBU_ANALYSIS_CHROMIUM, 'issue 13: murmur through Chromium’s noise suppression is still called speech; TONGBU_ANALYSIS_CHROMIUM=1 runs it');

test('a scripted 对话型 lesson spoken through three Chromium clients is attributed and coded as the script says', async () => {
  test.setTimeout(1_200_000);
  const { type, script } = LESSON_SCRIPTS.find((s) => s.script.name === 'dialogue')!;
  const result = await runScriptedLessonChromium(server, renderLesson(script), { log: (s) => console.log(`[analysis-chromium] ${s}`) });
  const score = scoreScriptedLesson(result.tracks, result.window, result.point);
  console.log(`[analysis-chromium] ${JSON.stringify(score)}`);
  const detail = `got ${score.codes} want ${score.want}`;
  expect(score.unambiguous, 'unambiguous samples').toBeGreaterThanOrEqual(score.samples - 3);
  expect(score.stAgreement, detail).toBeGreaterThanOrEqual(0.95);
  expect(score.rtError, detail).toBeLessThanOrEqual(0.05);
  expect(score.chError, detail).toBeLessThanOrEqual(0.05);
  expect(score.truthType, "the script's truth on the lesson clock").toBe(type);
  expect(score.type, detail).toBe(type);
  expect(score.tracks).toHaveLength(3);
  for (const t of score.tracks) {
    expect(t.attribution, t.room).toBe('attributed');
    expect(t.recall, `${t.room} recall`).toBeGreaterThanOrEqual(0.9);
    expect(t.falseAlarm, `${t.room} false alarm`).toBeLessThanOrEqual(0.05);
  }
});
