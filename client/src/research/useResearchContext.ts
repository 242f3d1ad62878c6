// Everything the 评课 panel needs besides a clock: live notes, the rubric, the groups.
// Kept apart from the pages so the replay-page panel does not pull in the charts.
import { useEffect, useState } from 'react';
import type { ResearchGroup, Rubric } from '../../../server/contract/research.js';
import { researchApi } from './researchApi.js';
import { useAnnotations } from './useAnnotations.js';

export function useResearchContext(lessonId: string) {
  const notes = useAnnotations(lessonId);
  const [rubric, setRubric] = useState<Rubric | null>(null);
  const [groups, setGroups] = useState<ResearchGroup[]>([]);
  useEffect(() => {
    researchApi.frameworks().then((f) => setRubric(f.rubric), () => undefined);
    researchApi.groups().then((g) => setGroups(g.groups), () => undefined);
  }, []);
  return { notes, rubric, groups };
}
