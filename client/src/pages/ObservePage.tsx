// 观摩: researchers and admins watch the stage (teacher, screen, on-stage classroom), follow hands
// and the exercise, and take part in the chat. Publishes nothing.
import { useI18n } from '../i18n/index.js';
import { useLessonSession } from '../live/useLessonSession.js';
import { AudioSink } from '../components/AudioSink.js';
import { ChatPanel } from '../components/ChatPanel.js';
import { NetQualityBadge, ReconnectingOverlay } from '../components/Indicators.js';
import { BeforeJoinScreen, EndedScreen, LiveBar, HandsList, useFullscreen, useNameOf } from '../components/LivePieces.js';
import { QuizResults } from '../components/Quiz.js';
import { Stage } from '../components/Stage.js';
import { Icon } from '../components/Icon.js';
import { LiveAnnotateBox } from '../research/LiveAnnotateBox.js';

export function ObservePage({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const { live, state } = useLessonSession(lessonId, 'observe');
  const nameOf = useNameOf(state);
  const fs = useFullscreen();

  if (state.phase === 'fatal' || !state.lesson) return <BeforeJoinScreen state={state} />;
  const lesson = state.lesson;
  const isLive = state.phase === 'live';

  return (
    <div className="observe-page" data-testid="observe-page">
      <LiveBar state={state} subtitle={<>{lesson.subject} · {lesson.teacherName} · {t('live.observer')}</>}>
        <NetQualityBadge quality={state.netQuality} />
        <button onClick={fs.toggle} data-testid="fullscreen">
          <Icon name="fullscreen" /> {fs.isFull ? t('live.exitFullscreen') : t('live.fullscreen')}
        </button>
      </LiveBar>
      {state.phase === 'ended' ? (
        <EndedScreen />
      ) : (
        <div className="observe-layout">
          <main className="observe-main">
            <Stage live={live} state={state} nameOf={nameOf} />
            <div className="stage-info" data-testid="stage-info" data-classroom-id={state.stageClassroomId ?? ''}>
              {state.stageClassroomId ? t('live.stageNow', { name: nameOf(state.stageClassroomId) }) : t('live.stageNone')}
            </div>
            {isLive && <LiveAnnotateBox lessonId={lessonId} />}
          </main>
          <aside className="observe-side">
            <HandsList hands={state.hands} nameOf={nameOf} />
            {state.quiz && (
              <section className="panel">
                <h2 className="panel-title">
                  {t('quiz.title')}
                  <span className={`badge ${state.quiz.quiz.closedAt ? 'state-ended' : 'state-live'}`}>
                    {state.quiz.quiz.closedAt ? t('quiz.closed') : t('quiz.open')}
                  </span>
                </h2>
                <div className="quiz-question">{state.quiz.quiz.question}</div>
                <QuizResults quiz={state.quiz.quiz} answers={state.quiz.answers} nameOf={nameOf} />
              </section>
            )}
            <ChatPanel chat={state.chat} onSend={(text) => live.actions.sendChat(text)} disabled={!isLive} />
          </aside>
        </div>
      )}
      <AudioSink consumers={state.consumers} selfPeerId={state.self?.peerId ?? null} />
      <ReconnectingOverlay show={state.phase === 'reconnecting'} />
    </div>
  );
}
