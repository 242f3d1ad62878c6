// 日历订阅: a teacher's or a classroom's iCalendar URL. The server keeps only a hash of the secret,
// so the URL is shown when it is made; making a new one retires the old.
import { useEffect, useState } from 'react';
import type { FeedKind } from '../../../server/contract/timetable.js';
import { errorText } from '../api.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { feedStatus, regenerateFeed } from './api.js';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission (plain http): the field is selected for Ctrl+C
  }
}

export function FeedLink({ kind, id, label }: { kind: FeedKind; id: string; label: string }) {
  const { t, lang } = useI18n();
  const [createdAt, setCreatedAt] = useState<string | null | undefined>(undefined);
  const [url, setUrl] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    feedStatus(kind, id)
      .then((s) => setCreatedAt(s.createdAt))
      .catch(() => setCreatedAt(null));
  }, [kind, id]);

  const make = async () => {
    if (createdAt && !window.confirm(t('tt.feed.confirmRegenerate'))) return;
    setBusy(true);
    try {
      const r = await regenerateFeed(kind, id);
      setUrl(r.url);
      setCreatedAt(r.createdAt);
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tt-feed" data-testid={`feed-${kind}-${id}`}>
      <span className="tt-feed-label">{label}</span>
      {url ? (
        <>
          <input className="tt-feed-url" readOnly value={url} data-testid="feed-url" onFocus={(e) => e.target.select()} />
          <button
            data-testid="feed-copy"
            onClick={(e) => {
              const input = (e.currentTarget.previousSibling as HTMLInputElement | null) ?? null;
              void copy(url).then((ok) => {
                if (ok) toast.info(t('tt.feed.copied'));
                else input?.select();
              });
            }}
          >
            {t('tt.feed.copy')}
          </button>
        </>
      ) : (
        <span className="muted-text">
          {createdAt ? t('tt.feed.exists', { time: new Date(createdAt).toLocaleString(localeOf(lang)) }) : createdAt === null ? t('tt.feed.none') : ''}
        </span>
      )}
      <button data-testid="feed-make" disabled={busy} onClick={() => void make()}>
        {createdAt ? t('tt.feed.regenerate') : t('tt.feed.make')}
      </button>
    </div>
  );
}
