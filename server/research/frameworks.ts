// Observation frameworks: S-T (two codes), Flanders' ten categories, and the community's rubric
// (default below until its admins configure their own).
import type { Rubric } from '../contract/research.js';

export const ST_CODES = ['T', 'S'] as const;
export const FLANDERS_CODES = ['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9', 'F10'] as const;

export const DEFAULT_RUBRIC: Rubric = {
  criteria: [
    { id: 'goals', name: '教学目标' },
    { id: 'content', name: '教学内容' },
    { id: 'methods', name: '教学方法' },
    { id: 'interaction', name: '师生互动' },
    { id: 'ict', name: '信息技术运用' },
    { id: 'effect', name: '教学效果' },
  ],
  levels: [
    { score: 1, label: '待改进' },
    { score: 2, label: '合格' },
    { score: 3, label: '良好' },
    { score: 4, label: '优秀' },
  ],
};

/** Codes a framework accepts; the rubric's are its criterion ids. */
export function codesOf(framework: 'none' | 'st' | 'flanders' | 'rubric', rubric: Rubric): readonly string[] | null {
  if (framework === 'st') return ST_CODES;
  if (framework === 'flanders') return FLANDERS_CODES;
  if (framework === 'rubric') return rubric.criteria.map((c) => c.id);
  return null;
}
