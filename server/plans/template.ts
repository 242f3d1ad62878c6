// The usual sections of a Chinese lesson plan (教案); free-form inside each.
// 教学过程 phases are level-3 headings "title（N分钟）" — phases.ts reads them back.
import { heading, para, type PmNode } from './pmSchema.js';

export const PLAN_SECTIONS = ['教学目标', '教学重难点', '教学准备', '教学过程', '作业设计', '板书设计', '教学反思'] as const;

const DEFAULT_PHASES: [string, number][] = [
  ['导入新课', 5],
  ['探究新知', 15],
  ['巩固练习', 12],
  ['课堂小结', 5],
  ['布置作业', 3],
];

export function planTemplate(title: string): PmNode {
  const content: PmNode[] = [heading(1, title)];
  for (const s of PLAN_SECTIONS) {
    content.push(heading(2, s));
    if (s === '教学目标') {
      content.push({ type: 'orderedList', attrs: { start: 1 }, content: [1, 2, 3].map(() => ({ type: 'listItem', content: [para()] })) });
    } else if (s === '教学过程') {
      for (const [t, m] of DEFAULT_PHASES) content.push(heading(3, `${t}（${m}分钟）`), para());
    } else {
      content.push(para());
    }
  }
  return { type: 'doc', content };
}
