// Registers the 评课 panel on the processing side's replay page (client/src/replay/panels.ts):
// notes and markers at the replay clock, click to seek. Imported once for its side effect.
import { useAuth } from '../session.js';
import { replayPanels } from '../replay/panels.js';
import { usePlayer } from '../replay/usePlayer.js';
import { Link } from '../router.js';
import { useI18n } from '../i18n/index.js';
import { AnnotationPanel } from './AnnotationPanel.js';
import { useResearchContext } from './useResearchContext.js';
import './research.css';

function ReplayResearchPanel({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const player = usePlayer();
  const auth = useAuth();
  const ctx = useResearchContext(lessonId);
  const meId = auth.status === 'in' ? auth.user.id : '';
  return (
    <div data-testid="replay-research-panel">
      <AnnotationPanel
        notes={ctx.notes}
        currentMs={player.currentTime * 1000}
        durationMs={player.duration * 1000}
        onSeek={(ms) => player.seek(ms / 1000)}
        rubric={ctx.rubric}
        groups={ctx.groups}
        meId={meId}
      />
      <Link to={`/research/lessons/${encodeURIComponent(lessonId)}`}>{t('research.tab.analysis')} →</Link>
    </div>
  );
}

if (!replayPanels.some((p) => p.id === 'research')) {
  replayPanels.push({ id: 'research', title: 'research.tab.annotate', render: ({ lessonId }) => <ReplayResearchPanel lessonId={lessonId} /> });
}
