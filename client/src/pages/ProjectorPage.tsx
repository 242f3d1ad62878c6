// 听课端: the rural classroom's projector. Dark, full screen, readable from the back row; nobody
// touches the PC during the lesson except the presenter clicker (raise / lower hand).
import { useEffect } from 'react';
import { useI18n } from '../i18n/index.js';
import { clickerAction } from '../live/clicker.js';
import { useLessonSession } from '../live/useLessonSession.js';
import { AudioSink } from '../components/AudioSink.js';
import { ChatPanel } from '../components/ChatPanel.js';
import { NetQualityBadge, ReconnectingOverlay } from '../components/Indicators.js';
import { RecordingIndicator } from '../components/RecordingIndicator.js';
import { ConnectingScreen, FatalScreen, useFullscreen, useNameOf } from '../components/LivePieces.js';
import { QuizClassroomPanel } from '../components/Quiz.js';
import { Stage } from '../components/Stage.js';
import { navigate } from '../router.js';
import { Icon } from '../components/Icon.js';

const ENDED_RETURN_MS = 15_000;
const FATAL_RETURN_MS = 30_000;

export function ProjectorPage({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const { live, state } = useLessonSession(lessonId, 'projector');
  const nameOf = useNameOf(state);
  const fs = useFullscreen();

  const selfClassroomId = state.self?.classroomId ?? null;
  const handIndex = selfClassroomId ? state.hands.findIndex((h) => h.classroomId === selfClassroomId) : -1;
  const raised = handIndex >= 0;
  const isLive = state.phase === 'live';

  // Presenter clicker / keyboard.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const action = clickerAction({
        key: e.key,
        repeat: e.repeat,
        altKey: e.altKey,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        targetTag: target?.tagName,
        targetEditable: target?.isContentEditable,
      });
      if (!action) return;
      e.preventDefault();
      if (live.state.phase !== 'live') return;
      if (action === 'raise') void live.actions.raiseHand();
      else void live.actions.lowerHand();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [live]);

  // Back to the idle screen by itself after the lesson (or an unrecoverable error).
  useEffect(() => {
    if (state.phase !== 'ended' && state.phase !== 'fatal') return;
    const timer = setTimeout(() => navigate('/'), state.phase === 'ended' ? ENDED_RETURN_MS : FATAL_RETURN_MS);
    return () => clearTimeout(timer);
  }, [state.phase]);

  if (state.phase === 'fatal') return <FatalScreen message={state.error} dark />;
  if (state.phase === 'ended') {
    return (
      <div className="projector ended center-screen dark" data-testid="lesson-ended">
        <div className="huge-title">{t('live.ended')}</div>
        {state.lesson && <div className="center-sub">{state.lesson.title}</div>}
        <div className="center-sub">{t('live.endedReturn')}</div>
        <button className="huge" data-testid="ended-back" onClick={() => navigate('/')}>
          {t('live.backHome')}
        </button>
      </div>
    );
  }
  if (!state.lesson) {
    return (
      <div className="projector">
        <ConnectingScreen dark />
        <ReconnectingOverlay show={state.phase === 'reconnecting'} />
      </div>
    );
  }

  const lesson = state.lesson;
  const selfOnStage = !!selfClassroomId && state.stageClassroomId === selfClassroomId;
  const selfMuted = !!selfClassroomId && state.mutedClassroomIds.includes(selfClassroomId);
  const quiz = state.quiz && !state.quiz.quiz.closedAt ? state.quiz : null;
  const answered = !!quiz && !!selfClassroomId && quiz.answers.some((a) => a.classroomId === selfClassroomId);

  return (
    <div className="projector" data-testid="projector-page">
      <header className="projector-bar">
        <div className="projector-title">
          <span className="projector-lesson">{lesson.title}</span>
          <span className="projector-teacher">
            {lesson.subject} · {lesson.teacherName}
          </span>
        </div>
        <span className={`badge big state-${lesson.state}`} data-testid="lesson-state" data-state={lesson.state}>
          {t(`state.${lesson.state}`)}
        </span>
        <RecordingIndicator status={state.recording} selfClassroomId={selfClassroomId} large />
        <NetQualityBadge quality={state.netQuality} large />
        <button className="fullscreen-btn" data-testid="fullscreen" onClick={(e) => (e.currentTarget.blur(), fs.toggle())}>
          <Icon name="fullscreen" /> {fs.isFull ? t('live.exitFullscreen') : t('live.fullscreen')}
        </button>
      </header>

      {selfOnStage && (
        <div className="self-on-stage-banner" data-testid="self-on-stage">
          <Icon name="mic" /> {t('live.selfOnStage')}
        </div>
      )}
      {selfMuted && (
        <div className="self-muted-banner" data-testid="self-muted">
          <Icon name="micOff" /> {t('live.selfMuted')}
        </div>
      )}

      <div className="projector-body">
        <Stage live={live} state={state} nameOf={nameOf} large />
        <aside className="projector-side">
          <section className={`hand-box${raised ? ' raised' : ''}`} data-testid="hand-state" data-raised={raised ? 'true' : 'false'}>
            <div className="hand-state-text">{raised ? t('live.handState.up', { n: handIndex + 1 }) : t('live.handState.down')}</div>
            <button
              className={`hand-button${raised ? ' raised' : ''}`}
              data-testid="hand-raise"
              disabled={!isLive}
              onClick={(e) => {
                e.currentTarget.blur();
                void live.actions.raiseHand();
              }}
            >
              <Icon name="hand" /> {raised ? t('live.handRaised') : t('live.handRaise')}
            </button>
            <button
              className="hand-lower-button"
              data-testid="hand-lower"
              disabled={!isLive}
              onClick={(e) => {
                e.currentTarget.blur();
                void live.actions.lowerHand();
              }}
            >
              {t('live.handLower')}
            </button>
            <div className="clicker-hint">{t('live.clickerHint')}</div>
          </section>
          <ChatPanel chat={state.chat} latest={4} large />
        </aside>
      </div>

      {quiz && (
        <div className="quiz-overlay">
          <QuizClassroomPanel live={live} quiz={quiz.quiz} answered={answered} />
        </div>
      )}

      <AudioSink consumers={state.consumers} selfPeerId={state.self?.peerId ?? null} large />
      <ReconnectingOverlay show={state.phase === 'reconnecting'} />
    </div>
  );
}
