// The shared "stage" of the projector and observer views: the teacher's screen share (with the
// teacher camera inset) or the teacher camera, plus the on-stage classroom as a large tile.
import type { PeerInfo } from '../../../server/contract/domain.js';
import { useT } from '../i18n/index.js';
import type { LessonSession } from '../live/LessonSession.js';
import type { LiveState } from '../live/LessonStore.js';
import type { ConsumerInfo } from '../live/MediaSession.js';
import { VideoView } from './VideoView.js';
import { Icon } from './Icon.js';

export function teacherPeerIds(peers: PeerInfo[]): Set<string> {
  return new Set(peers.filter((p) => p.lessonRole === 'teacher').map((p) => p.peerId));
}

export function isTeacherConsumer(c: ConsumerInfo, teachers: Set<string>): boolean {
  return teachers.has(c.peerId) || c.classroomId === null;
}

export function findVideo(consumers: ConsumerInfo[], pred: (c: ConsumerInfo) => boolean): ConsumerInfo | undefined {
  return consumers.find((c) => c.kind === 'video' && pred(c));
}

export function Stage({ live, state, nameOf, large }: { live: LessonSession; state: LiveState; nameOf: (id: string) => string; large?: boolean }) {
  const t = useT();
  const teachers = teacherPeerIds(state.peers);
  const selfClassroomId = state.self?.classroomId ?? null;
  const screen = findVideo(state.consumers, (c) => c.source === 'screen' && isTeacherConsumer(c, teachers));
  const teacherCam = findVideo(state.consumers, (c) => c.source === 'camera' && isTeacherConsumer(c, teachers));
  const stageId = state.stageClassroomId;
  const showStageTile = !!stageId && stageId !== selfClassroomId;
  const stageCam = showStageTile ? findVideo(state.consumers, (c) => c.source === 'camera' && c.classroomId === stageId) : undefined;
  const teacherName = state.lesson?.teacherName ?? t('live.teacher');

  return (
    <div className={`stage${showStageTile ? ' with-side' : ''}${large ? ' large' : ''}`} data-testid="stage">
      <div className="stage-main">
        {screen ? (
          <>
            <VideoView track={screen.track} consumerId={screen.consumerId} live={live} fit="contain" testId="stage-screen" className="stage-video" />
            <VideoView
              track={teacherCam?.track}
              consumerId={teacherCam?.consumerId}
              live={live}
              className="stage-inset"
              testId="stage-teacher-inset"
              placeholder={<span>{teacherName}</span>}
            />
          </>
        ) : (
          <VideoView
            track={teacherCam?.track}
            consumerId={teacherCam?.consumerId}
            live={live}
            fit="contain"
            className="stage-video"
            testId="stage-teacher"
            placeholder={<span className="stage-wait">{t('live.waitingTeacher')}</span>}
          >
            <div className="video-label">{teacherName}</div>
          </VideoView>
        )}
      </div>
      {showStageTile && stageId && (
        <div className="stage-side" data-testid="stage-tile" data-classroom-id={stageId}>
          <VideoView
            track={stageCam?.track}
            consumerId={stageCam?.consumerId}
            live={live}
            className="stage-side-video"
            placeholder={<span>{t('live.noVideo')}</span>}
          >
            <div className="video-label on-stage-label">
              <Icon name="mic" /> {nameOf(stageId)} · {t('live.onStage')}
            </div>
          </VideoView>
        </div>
      )}
    </div>
  );
}
