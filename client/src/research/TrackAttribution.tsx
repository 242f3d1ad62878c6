// Per track: raw voice activity against the attributed speech the figures use, and which tracks
// leaked into it (level, delay, what attribution removed) — or that attribution has not run yet.
import type { LessonAnalysis, VoiceTrack } from '../../../server/contract/research.js';
import type { Span } from '../../../server/contract/analysis/timeline.js';
import { useI18n } from '../i18n/index.js';

const seconds = (spans: Span[]) => Math.round(spans.reduce((s, [a, b]) => s + Math.max(0, b - a), 0) / 1000);

export function TrackAttribution({ a, trackName }: { a: LessonAnalysis; trackName(t: VoiceTrack): string }) {
  const { t } = useI18n();
  if (a.tracks.length === 0) return null;
  const byId = new Map(a.tracks.map((tr) => [tr.trackId, tr]));
  const duration = (ms: number) => {
    const s = Math.round(ms / 1000);
    return t('research.an.duration', { m: Math.floor(s / 60), s: s % 60 });
  };
  const noneRan = a.tracks.every((tr) => tr.attribution === 'raw');
  return (
    <section data-testid="track-attribution">
      <h4>{t('research.an.attribution')}</h4>
      {noneRan && (
        <div className="muted" data-testid="attribution-none">
          {t('research.an.attribution.none')}
        </div>
      )}
      <ul className="rs-attribution">
        {a.tracks.map((tr) => (
          <li key={tr.trackId} data-testid="track-attribution-row" data-track={tr.trackId} data-attribution={tr.attribution}>
            {tr.attribution === 'attributed'
              ? t('research.an.attribution.track', { track: trackName(tr), raw: seconds(tr.raw), attributed: seconds(tr.segments) })
              : t('research.an.attribution.trackRaw', { track: trackName(tr), raw: seconds(tr.raw) })}
            {tr.leaks.length > 0 && (
              <ul>
                {tr.leaks.map((l) => {
                  const from = byId.get(l.fromTrackId);
                  return (
                    <li key={l.fromTrackId} data-testid="track-leak">
                      {t('research.an.leak', {
                        track: trackName(tr),
                        from: from ? trackName(from) : l.fromTrackId,
                        gain: l.gainDb.toFixed(0).replace('-', '−'),
                        lag: Math.round(l.lagMs),
                        removed: duration(l.removedMs),
                      })}
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
