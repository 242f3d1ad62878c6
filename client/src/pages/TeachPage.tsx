// 主讲端: the teacher's console.
import { useI18n } from '../i18n/index.js';
import { useLessonSession } from '../live/useLessonSession.js';
import type { LessonSession } from '../live/LessonSession.js';
import type { LiveState } from '../live/LessonStore.js';
import { AudioSink } from '../components/AudioSink.js';
import { ChatPanel } from '../components/ChatPanel.js';
import { LevelBar, NetQualityBadge, ReconnectingOverlay } from '../components/Indicators.js';
import { RecordingControls, RecordingNotices } from '../components/RecordingIndicator.js';
import { BeforeJoinScreen, EndedScreen, LiveBar, HandsList, useNameOf } from '../components/LivePieces.js';
import { QuizTeacherPanel } from '../components/Quiz.js';
import { findVideo } from '../components/Stage.js';
import { VideoView } from '../components/VideoView.js';
import { Icon } from '../components/Icon.js';
import { LessonPlanButton } from '../plans/PlansSection.js';
import { currentUser } from '../session.js';

export function TeachPage({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const { live, state } = useLessonSession(lessonId, 'teach');
  const nameOf = useNameOf(state);

  if (state.phase === 'fatal' || !state.lesson) return <BeforeJoinScreen state={state} />;
  const lesson = state.lesson;
  const isLive = state.phase === 'live';
  const ended = lesson.state === 'ended';
  const publishing = (source: string) => state.producers.some((p) => p.source === source);

  return (
    <div className="teach-page" data-testid="teach-page">
      <LiveBar state={state} subtitle={<>{lesson.subject} · {nameOf(lesson.hostClassroomId)}</>}>
        {!ended && (
          <RecordingControls
            status={state.recording}
            nameOf={nameOf}
            disabled={!isLive}
            onPause={(paused) => void live.actions.setRecordingPaused(paused)}
          />
        )}
        {lesson.state === 'scheduled' && (
          <button className="primary" data-testid="lesson-start" disabled={!isLive} onClick={() => void live.actions.startLesson()}>
            {t('live.start')}
          </button>
        )}
        {lesson.state === 'live' && (
          <button className="danger" data-testid="lesson-end" disabled={!isLive} onClick={() => void live.actions.endLesson()}>
            {t('live.end')}
          </button>
        )}
        {!ended && (
          <button
            data-testid="screen-toggle"
            data-sharing={state.localScreen ? 'true' : 'false'}
            className={state.localScreen ? 'active' : ''}
            disabled={!isLive}
            onClick={() => void live.actions.toggleScreen()}
          >
            <Icon name="screen" /> {state.localScreen ? t('live.screenStop') : t('live.screenStart')}
          </button>
        )}
        {/* The plan opens in its own tab, so the class's video keeps running here. */}
        {currentUser() && <LessonPlanButton lessonId={lesson.id} title={lesson.title} user={currentUser()!} newTab />}
        <NetQualityBadge quality={state.netQuality} />
      </LiveBar>
      {!ended && <RecordingNotices notices={state.recordingNotices} onDismiss={(key) => live.actions.dismissRecordingNotice(key)} />}

      {ended ? (
        <EndedScreen />
      ) : (
        <div className="teach-layout">
          <aside className="teach-left">
            <section className="panel">
              <h2 className="panel-title">{t('live.selfPreview')}</h2>
              <VideoView track={state.localCamera} mirror className="self-preview" testId="self-preview" placeholder={<span>{t('live.noVideo')}</span>}>
                <div className="pub-flags">
                  <span className={publishing('camera') ? 'on' : 'off'} data-testid="pub-camera">
                    <Icon name="camera" />
                  </span>
                  <span className={publishing('mic') ? 'on' : 'off'} data-testid="pub-mic">
                    <Icon name="mic" />
                  </span>
                  {state.localScreen && (
                    <span className={publishing('screen') ? 'on' : 'off'} data-testid="pub-screen">
                      <Icon name="screen" />
                    </span>
                  )}
                </div>
              </VideoView>
              {state.localScreen && <VideoView track={state.localScreen} fit="contain" className="screen-preview" testId="screen-preview" />}
            </section>
            <HandsList
              hands={state.hands}
              nameOf={nameOf}
              renderActions={(h) => (
                <>
                  <button
                    className="primary small"
                    data-testid={`stage-set-${h.classroomId}`}
                    disabled={!isLive || state.stageClassroomId === h.classroomId}
                    onClick={() => void live.actions.setStage(h.classroomId)}
                  >
                    {t('live.stageSet')}
                  </button>
                  <button className="small" data-testid={`hand-lower-${h.classroomId}`} disabled={!isLive} onClick={() => void live.actions.lowerHand(h.classroomId)}>
                    {t('live.lower')}
                  </button>
                </>
              )}
            />
          </aside>

          <main className="teach-center">
            <div className="stage-info" data-testid="stage-info" data-classroom-id={state.stageClassroomId ?? ''}>
              {state.stageClassroomId ? t('live.stageNow', { name: nameOf(state.stageClassroomId) }) : t('live.stageNone')}
            </div>
            <ClassroomGrid live={live} state={state} nameOf={nameOf} />
          </main>

          <aside className="teach-right">
            <QuizTeacherPanel live={live} quiz={state.quiz} hostClassroomId={lesson.hostClassroomId} nameOf={nameOf} disabled={!isLive} />
            <ChatPanel chat={state.chat} onSend={(text) => live.actions.sendChat(text)} disabled={!isLive} />
          </aside>
        </div>
      )}
      <AudioSink consumers={state.consumers} selfPeerId={state.self?.peerId ?? null} />
      <ReconnectingOverlay show={state.phase === 'reconnecting'} />
    </div>
  );
}

function ClassroomGrid({ live, state, nameOf }: { live: LessonSession; state: LiveState; nameOf: (id: string) => string }) {
  const { t } = useI18n();
  const ids = state.lesson?.receivingClassroomIds ?? [];
  const isLive = state.phase === 'live';
  return (
    <div className={`classroom-grid n${Math.min(ids.length, 9)}`} data-testid="classroom-grid">
      {ids.map((id) => {
        const online = state.peers.some((p) => p.classroomId === id);
        const muted = state.mutedClassroomIds.includes(id);
        const onStage = state.stageClassroomId === id;
        const cam = findVideo(state.consumers, (c) => c.classroomId === id && c.source === 'camera');
        const handIdx = state.hands.findIndex((h) => h.classroomId === id);
        return (
          <div
            key={id}
            className={`classroom-tile${onStage ? ' on-stage' : ''}${online ? '' : ' offline'}`}
            data-testid={`classroom-tile-${id}`}
            data-online={online ? 'true' : 'false'}
            data-muted={muted ? 'true' : 'false'}
            data-onstage={onStage ? 'true' : 'false'}
          >
            <VideoView
              track={cam?.track}
              consumerId={cam?.consumerId}
              live={live}
              className="tile-video"
              placeholder={<span>{online ? t('live.noVideo') : t('live.offline')}</span>}
            >
              {handIdx >= 0 && <div className="tile-hand"><Icon name="hand" /> {handIdx + 1}</div>}
              {onStage && <div className="tile-onstage"><Icon name="mic" /> {t('live.onStage')}</div>}
            </VideoView>
            <div className="tile-bar">
              <span className={`dot ${online ? 'on' : 'off'}`} title={online ? t('live.online') : t('live.offline')} />
              <span className="tile-name">{nameOf(id)}</span>
              {muted && (
                <span className="badge muted-badge" data-testid={`muted-badge-${id}`}>
                  <Icon name="micOff" /> {t('live.muted')}
                </span>
              )}
            </div>
            <LevelBar dbov={state.audioLevels[id]} muted={muted} />
            <div className="tile-actions">
              <button className={`small${muted ? ' active' : ''}`} data-testid={`mute-${id}`} data-muted={muted ? 'true' : 'false'} disabled={!isLive} onClick={() => void live.actions.muteClassroom(id, !muted)}>
                {muted ? t('live.unmute') : t('live.mute')}
              </button>
              {onStage ? (
                <button className="small danger" data-testid="stage-clear" disabled={!isLive} onClick={() => void live.actions.setStage(null)}>
                  {t('live.stageClear')}
                </button>
              ) : (
                <button className="small" data-testid={`tile-stage-set-${id}`} disabled={!isLive || !online} onClick={() => void live.actions.setStage(id)}>
                  {t('live.invite')}
                </button>
              )}
            </div>
          </div>
        );
      })}
    </div>
  );
}
