// 教学过程 as structured data: each level-3 heading inside the 教学过程 section is a phase,
// its planned minutes read from "（N分钟）", "(N min)", "N分" … anywhere in the heading.
import type { PlanPhase } from '../contract/planEvents.js';
import { plainText, type PmNode } from './pmSchema.js';

const MINUTES = /[（(【\[]?\s*(\d{1,3})\s*(?:分钟|分|min(?:ute)?s?|’|')\s*[）)】\]]?/i;
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
    const m = MINUTES.exec(t);
    const title = (m ? t.slice(0, m.index) + t.slice(m.index + m[0].length) : t).replace(/[\s：:，,、—-]+$/u, '').trim();
    phases.push({ title: title || t, minutes: m ? Number(m[1]) : null });
  }
  return phases;
}
