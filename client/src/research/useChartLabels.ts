// The words inside the charts (series and region names) in the page's language, one object per
// language so the chart options are rebuilt only when the language changes.
import { useMemo } from 'react';
import { useI18n } from '../i18n/index.js';
import type { ChartLabels } from './chartOptions.js';

export function useChartLabels(): ChartLabels {
  const { t, lang } = useI18n();
  return useMemo(
    () => ({
      teacher: t('research.an.teacher'),
      student: t('research.an.student'),
      silence: t('research.an.silence'),
      practice: t('research.an.type.practice'),
      lecture: t('research.an.type.lecture'),
      dialogue: t('research.an.type.dialogue'),
      mixed: t('research.an.type.mixed'),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lang],
  );
}
