// Bits shared by the three lesson views.
import { useEffect, useState, type ReactNode } from 'react';
import type { RaisedHand } from '../../../server/contract/domain.js';
import { useT } from '../i18n/index.js';
import type { LiveState } from '../live/LessonStore.js';
import { classroomLabel, useCommunity } from '../session.js';
import { Link } from '../router.js';
import { Icon } from './Icon.js';
import { ReconnectingOverlay, StateBadge } from './Indicators.js';
import { RecordingIndicator } from './RecordingIndicator.js';

/** Classroom id → readable name (directory, else a peer's display name, else the id). */
export function useNameOf(state: LiveState): (id: string) => string {
  const community = useCommunity();
  return (id: string) => {
    const peer = state.peers.find((p) => p.classroomId === id) ?? (state.self?.classroomId === id ? state.self : undefined);
    return classroomLabel(community, id, peer?.displayName);
  };
}

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function HandsList({
  hands,
  nameOf,
  renderActions,
  large,
}: {
  hands: RaisedHand[];
  nameOf: (id: string) => string;
  renderActions?: (h: RaisedHand) => ReactNode;
  large?: boolean;
}) {
  const t = useT();
  const now = useNow(5000);
  return (
    <section className={`panel hands-panel${large ? ' large' : ''}`}>
      <h2 className="panel-title">
        <Icon name="hand" /> {t('live.hands')} <span className="count">{hands.length}</span>
      </h2>
      <ol className="hands-list" data-testid="hands-list">
        {hands.length === 0 && <li className="muted-text empty">{t('live.handsEmpty')}</li>}
        {hands.map((h, i) => {
          const waited = Math.max(0, Math.round((now - new Date(h.raisedAt).getTime()) / 1000));
          return (
            <li key={h.classroomId} className="hand-item" data-testid={`hand-${h.classroomId}`}>
              <span className="hand-order">{i + 1}</span>
              <span className="hand-name">{nameOf(h.classroomId)}</span>
              {Number.isFinite(waited) && <span className="hand-waited">{t('live.handsWaited', { s: waited })}</span>}
              {renderActions && <span className="hand-actions">{renderActions(h)}</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export function ConnectingScreen({ dark }: { dark?: boolean }) {
  const t = useT();
  return (
    <div className={`center-screen${dark ? ' dark' : ''}`} data-testid="connecting">
      <div className="spinner" aria-hidden />
      <div className="center-title">{t('live.connecting')}</div>
    </div>
  );
}

/** A full-page message with a way back home. */
function HomeScreen({ testId, title, sub, dark }: { testId: string; title: string; sub?: string | null; dark?: boolean }) {
  const t = useT();
  return (
    <div className={`center-screen${dark ? ' dark' : ''}`} data-testid={testId}>
      <div className="center-title">{title}</div>
      {sub && <div className="center-sub">{sub}</div>}
      <Link className="button" to="/">
        {t('live.backHome')}
      </Link>
    </div>
  );
}

export function FatalScreen({ message, dark }: { message: string | null; dark?: boolean }) {
  const t = useT();
  return <HomeScreen testId="lesson-fatal" title={t('live.fatal')} sub={message} dark={dark} />;
}

/** 课程已结束 on the teacher's and observer's pages (the projector has its own, larger one). */
export function EndedScreen() {
  const t = useT();
  return <HomeScreen testId="lesson-ended" title={t('live.ended')} />;
}

export function useFullscreen(): { isFull: boolean; toggle: () => void } {
  const [isFull, setFull] = useState(() => typeof document !== 'undefined' && !!document.fullscreenElement);
  useEffect(() => {
    const on = () => setFull(!!document.fullscreenElement);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, []);
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void document.documentElement.requestFullscreen?.().catch(() => undefined);
  };
  return { isFull, toggle };
}

/** What a live page shows before the lesson's first snapshot: why it cannot join, or 连接中 (with 重新连接中 over it while retrying). */
export function BeforeJoinScreen({ state, dark }: { state: LiveState; dark?: boolean }) {
  if (state.phase === 'fatal') return <FatalScreen message={state.error} dark={dark} />;
  return (
    <>
      <ConnectingScreen dark={dark} />
      <ReconnectingOverlay show={state.phase === 'reconnecting'} />
    </>
  );
}

/** The live pages' top bar: back home, the lesson's title over a subtitle, its state and recording badges, then the page's own actions. */
export function LiveBar({ state, subtitle, children }: { state: LiveState; subtitle: ReactNode; children: ReactNode }) {
  const t = useT();
  const lesson = state.lesson!;
  return (
    <header className="live-bar">
      <Link to="/" className="back-link">
        ← {t('nav.home')}
      </Link>
      <div className="live-title">
        <strong>{lesson.title}</strong>
        <span className="muted-text">{subtitle}</span>
      </div>
      <StateBadge state={lesson.state} />
      <RecordingIndicator status={state.recording} />
      <div className="live-bar-actions">{children}</div>
    </header>
  );
}
