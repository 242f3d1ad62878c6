// 教学过程 as structured data: each level-3 heading inside the 教学过程 section is a phase,
// its planned minutes read from "（N分钟）", "(N min)", "N分" … anywhere in the heading.
import type { PlanPhase } from '../contract/planEvents.js';
import { plainText, type PmNode } from './pmSchema.js';

// The pattern starts at a digit (never at a space), so an unanchored search over a long heading
// is linear; the optional brackets and the spaces inside them are taken by a bounded scan after.
const MINUTES = /(\d{1,3})\s*(?:分钟|分|min(?:ute)?s?|’|')/i;
const OPEN = new Set(['（', '(', '【', '[']);
const CLOSE = new Set(['）', ')', '】', ']']);
const TAIL = new Set(['：', ':', '，', ',', '、', '—', '-']);
const isSpace = (c: string | undefined) => c !== undefined && c.trim() === '';

/** "（5分钟）" → the minutes and where the whole mention (brackets included) starts and ends. */
function minutesIn(t: string): { minutes: number; from: number; to: number } | null {
  const m = MINUTES.exec(t);
  if (!m) return null;
  let from = m.index;
  let to = m.index + m[0].length;
  let i = from;
  while (isSpace(t[i - 1])) i--;
  if (OPEN.has(t[i - 1])) from = i - 1;
  let j = to;
  while (isSpace(t[j])) j++;
  if (CLOSE.has(t[j])) to = j + 1;
  return { minutes: Number(m[1]), from, to };
}

/** Strips trailing separators and spaces ("导入新课 ——" → "导入新课") with one backward scan. */
function trimTail(s: string): string {
  let end = s.length;
  while (end > 0 && (TAIL.has(s[end - 1]) || isSpace(s[end - 1]))) end--;
  return s.slice(0, end);
}
const SECTION = /教学过程|教学环节|teaching process/i;

export function extractPhases(doc: PmNode): PlanPhase[] {
  const blocks = doc.content ?? [];
  const phases: PlanPhase[] = [];
  let sectionLevel: number | null = null;
  for (const b of blocks) {
    if (b.type !== 'heading') continue;
    const level = Number(b.attrs?.level ?? 1);
    const t = plainText(b).trim();
    if (sectionLevel === null) {
      if (SECTION.test(t)) sectionLevel = level;
      continue;
    }
    if (level <= sectionLevel) break; // the next section
    if (level !== sectionLevel + 1) continue; // sub-points of a phase
    const m = minutesIn(t);
    const title = trimTail(m ? t.slice(0, m.from) + t.slice(m.to) : t).trim();
    phases.push({ title: title || t, minutes: m ? m.minutes : null });
  }
  return phases;
}
