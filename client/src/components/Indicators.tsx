// Small status pieces: network quality, audio level bar, lesson state badge, reconnecting overlay.
import type { LessonState } from '../../../server/contract/domain.js';
import { useT } from '../i18n/index.js';
import type { NetQuality } from '../live/netQuality.js';

export function NetQualityBadge({ quality, large }: { quality: NetQuality; large?: boolean }) {
  const t = useT();
  return (
    <span className={`net-quality net-${quality}${large ? ' large' : ''}`} data-testid="net-quality" data-quality={quality} title={quality}>
      <span className="net-bars" aria-hidden>
        <i />
        <i />
        <i />
      </span>
      {t('net.label')}：{t(`net.${quality}`)}
    </span>
  );
}

/** dBov (-127..0) → 0..1, speech sits roughly in -50..-10. */
export function levelFraction(dbov: number | undefined): number {
  if (dbov === undefined || !Number.isFinite(dbov)) return 0;
  return Math.max(0, Math.min(1, (dbov + 70) / 60));
}

export function LevelBar({ dbov, muted }: { dbov: number | undefined; muted?: boolean }) {
  const f = muted ? 0 : levelFraction(dbov);
  return (
    <div className="level-bar" data-testid="level-bar" data-level={dbov ?? ''} aria-hidden>
      <div className="level-fill" style={{ width: `${Math.round(f * 100)}%` }} />
    </div>
  );
}

export function StateBadge({ state }: { state: LessonState }) {
  const t = useT();
  return (
    <span className={`badge state-${state}`} data-testid="lesson-state" data-state={state}>
      {t(`state.${state}`)}
    </span>
  );
}

export function ReconnectingOverlay({ show }: { show: boolean }) {
  const t = useT();
  if (!show) return null;
  return (
    <div className="reconnecting-overlay" data-testid="reconnecting-overlay" role="status" aria-live="polite">
      <div className="reconnecting-card">
        <div className="spinner" aria-hidden />
        <div className="reconnecting-title">{t('live.reconnecting')}</div>
        <div className="reconnecting-hint">{t('live.reconnectingHint')}</div>
      </div>
    </div>
  );
}
