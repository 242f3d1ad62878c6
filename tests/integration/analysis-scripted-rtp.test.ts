// Three of the scripted lessons (tests/helpers/lessonScripts.ts: 讲授型, 练习型, 对话型, each a
// teacher and two classrooms with leakage both ways, room noise that changes mid-lesson, quiet
// far-field pupils and overlapping answers) through the real product: each room's microphone is
// sent as Opus RTP into a live lesson from its own moment (the classrooms at a rural uplink's
// 24 kb/s), the real recorder writes its segments, the real worker process runs voice activity
// per segment and the lesson's attribution, and the research API codes the lesson. The issue's
// bar, on the lesson clock: S-T agreement ≥ 95% on unambiguous samples, Rt and Ch within 0.05,
// the lesson type, and per track the attributed speech's recall ≥ 90% and false alarm ≤ 5% on
// 100-ms frames against the room's own scripted speech. The three lessons run at once on one
// server, so they cost one lesson's wall time.
import { beforeAll, describe, expect, it } from 'vitest';
import { LESSON_SCRIPTS } from '../helpers/lessonScripts.js';
import { renderLesson } from '../helpers/lessonSynth.js';
import { runScriptedLessonsRtp, type ScriptedLessonResult } from '../helpers/scriptedLessonRtp.js';
import { scoreScriptedLesson } from '../helpers/scriptedLessonScore.js';

const CHOSEN = ['lecture-qa', 'practice-murmur', 'dialogue'];
const scripts = LESSON_SCRIPTS.filter((s) => CHOSEN.includes(s.script.name));

describe('scripted lessons through the recorder and the worker (RTP)', () => {
  let results: ScriptedLessonResult[] = [];

  beforeAll(async () => {
    expect(scripts.map((s) => s.script.name)).toEqual(CHOSEN);
    results = await runScriptedLessonsRtp(
      scripts.map(({ script }) => ({ name: script.name, rooms: renderLesson(script).rooms })),
      { audioBitrate: '24k', log: (s) => console.log(`[analysis-rtp] ${s}`) },
    );
  }, 1_500_000);

  it.each(CHOSEN.map((name, i) => [name, i] as const))('%s: attributed speech and the S-T coding match the script', (name, i) => {
    const { type } = scripts[i];
    const got = results[i];
    expect(got, `${name} ran`).toBeDefined();
    const score = scoreScriptedLesson(got.tracks, got.window, got.point);
    console.log(`[analysis-rtp] ${name}: ${JSON.stringify(score)}`);
    const detail = `${name}: got ${score.codes} want ${score.want}`;
    expect(score.unambiguous, `${name}: unambiguous samples`).toBeGreaterThanOrEqual(score.samples - 3);
    expect(score.stAgreement, detail).toBeGreaterThanOrEqual(0.95);
    expect(score.rtError, detail).toBeLessThanOrEqual(0.05);
    expect(score.chError, detail).toBeLessThanOrEqual(0.05);
    expect(score.truthType, `${name}: the script's truth on the lesson clock`).toBe(type);
    expect(score.type, detail).toBe(type);
    expect(score.tracks).toHaveLength(3);
    for (const t of score.tracks) {
      expect(t.attribution, `${name} ${t.room}`).toBe('attributed');
      expect(t.recall, `${name} ${t.room} recall`).toBeGreaterThanOrEqual(0.9);
      expect(t.falseAlarm, `${name} ${t.room} false alarm`).toBeLessThanOrEqual(0.05);
    }
    // The leak is real through the network as well: some track hears another room beyond the bar.
    expect(Math.max(...score.tracks.map((t) => t.rawFalseAlarm)), `${name}: raw worst false alarm`).toBeGreaterThan(0.05);
  });
});
