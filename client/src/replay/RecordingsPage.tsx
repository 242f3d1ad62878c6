// 课堂录像: recorded lessons with their processing progress, pushed live over Socket.IO
// (recording:progress), failures with the reason and a retry button, and a link to replay.
import { useCallback, useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/contract/events.js';
import { LIMITS } from '../../../server/contract/limits.js';
import type { RecordingProgress } from '../../../server/contract/recordings.js';
import { api } from '../api.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Link } from '../router.js';
import { toast } from '../toast.js';
import './replay.css';

type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Nothing more will change unless someone acts (a failure may still be retried: not finished). */
const finished = (p: RecordingProgress) => p.recordingState === 'stopped' && p.playbackReady && p.compositeReady && p.failures.length === 0;

export function replayPath(lessonId: string): string {
  return `/recordings/${encodeURIComponent(lessonId)}`;
}

export function RecordingsPage() {
  const { t } = useI18n();
  const [list, setList] = useState<RecordingProgress[] | null>(null);
  const [canRetry, setCanRetry] = useState<Record<string, boolean>>({});

  // Followed live: the recordings not yet finished (newest first, as listed), at most the
  // contract's cap; chosen when the list loads, so the socket is not reopened on every update.
  const [ids, setIds] = useState('');
  const load = useCallback(
    () =>
      api<{ recordings: RecordingProgress[] }>('GET', '/api/recordings').then((r) => {
        setList(r.recordings);
        setIds(r.recordings.filter((p) => !finished(p)).slice(0, LIMITS.recordingWatchMax).map((p) => p.lessonId).join(','));
      }),
    [],
  );
  useEffect(() => {
    void load().catch(() => setList([]));
  }, [load]);

  useEffect(() => {
    if (!ids) return;
    const socket: AppSocket = io({ transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
    const watch = () => socket.emit('recording:watch', { lessonIds: ids.split(',') }, () => undefined);
    socket.on('connect', watch);
    socket.on('recording:progress', (p) => setList((cur) => cur?.map((r) => (r.lessonId === p.lessonId ? p : r)) ?? cur));
    return () => {
      socket.disconnect();
    };
  }, [ids]);

  if (!list) return <div className="page-message">{t('app.loading')}</div>;
  return (
    <div className="recordings" data-testid="recordings-page">
      <h2>{t('recordings.title')}</h2>
      {list.length === 0 && <p className="muted">{t('recordings.empty')}</p>}
      <ul className="recording-list">
        {list.map((r) => (
          <li key={r.lessonId} className="recording-item" data-testid={`recording-${r.lessonId}`}>
            <div className="recording-row">
              <b>{r.title}</b>
              <span className="muted">{r.startedAt ? new Date(r.startedAt).toLocaleString() : ''}</span>
              <span className={`badge state-${r.recordingState}`}>{t(`recordings.state.${r.recordingState}` as MessageKey)}</span>
              <span className="muted">{t(`recordings.visibility.${r.visibility}` as MessageKey)}</span>
              <Link to={replayPath(r.lessonId)} data-testid="recording-open">
                {t('recordings.open')}
              </Link>
            </div>
            <div className="progress" role="progressbar" aria-valuenow={r.percent} aria-valuemin={0} aria-valuemax={100} data-testid="recording-progress">
              <div className="bar" style={{ width: `${r.percent}%` }} />
            </div>
            <div className="recording-row small">
              <span>{t('recordings.processing', { percent: r.percent })}</span>
              <span>{t('recordings.segments', { done: r.segments.done, total: r.segments.total })}</span>
              <span>{t('recordings.composite', { done: r.composite.windowsDone, total: r.composite.windowsTotal })}</span>
              {r.playbackReady && <span className="badge ok" data-testid="recording-playback-ready">{t('recordings.playbackReady')}</span>}
              {r.compositeReady && <span className="badge ok" data-testid="recording-composite-ready">{t('recordings.compositeReady')}</span>}
            </div>
            {r.failures.length > 0 && (
              <div className="failures" data-testid="recording-failures">
                <b>{t('recordings.failures')}</b>
                <ul>
                  {r.failures.map((f) => (
                    <li key={f.key}>
                      {t(`recordings.kind.${f.kind}` as MessageKey)} {f.trackLabel ?? ''} {f.seq != null ? `#${f.seq}` : ''}: <code>{f.error}</code>
                      {canRetry[r.lessonId] !== false && (
                        <button
                          data-testid="recording-retry"
                          onClick={() =>
                            void api('POST', `/api/recordings/${encodeURIComponent(r.lessonId)}/jobs/${encodeURIComponent(f.key)}/retry`)
                              .then(() => toast.info(t('recordings.retried')))
                              .catch((e: Error & { code?: string }) => {
                                if (e.code === 'FORBIDDEN') setCanRetry((c) => ({ ...c, [r.lessonId]: false }));
                                toast.error(e.message);
                              })
                          }
                        >
                          {t('recordings.retry')}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
