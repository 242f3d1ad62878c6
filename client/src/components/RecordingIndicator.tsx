// 录制中: the lesson's recording state, in every live view (teacher, projector, observer).
// Also says when this classroom (or, for the teacher, which classrooms) is not recorded.
import type { RecordingStatus } from '../../../server/contract/domain.js';
import type { RecordingNoticeItem } from '../live/LessonStore.js';
import { localeOf, useI18n, useT } from '../i18n/index.js';

export function RecordingIndicator({
  status,
  large,
  selfClassroomId,
}: {
  status: RecordingStatus;
  large?: boolean;
  /** A classroom view: say "not recorded" when it is this classroom that is left out. */
  selfClassroomId?: string | null;
}) {
  const t = useT();
  const notSelf = !!selfClassroomId && status.unrecordedClassroomIds.includes(selfClassroomId);
  if (status.state === 'off' && !notSelf) return null;
  const label = notSelf
    ? t('recording.notRecorded')
    : status.state === 'recording'
      ? t('recording.on')
      : status.state === 'paused'
        ? t('recording.paused')
        : status.reason === 'disk_full'
          ? t('recording.diskFull')
          : t('recording.stopped');
  const kind = notSelf ? 'excluded' : status.state;
  return (
    <span
      className={`recording-indicator rec-${kind}${large ? ' large' : ''}`}
      data-testid="recording-indicator"
      data-state={status.state}
      data-excluded={notSelf ? 'true' : 'false'}
      role="status"
      title={label}
    >
      <span className="rec-dot" aria-hidden />
      {label}
    </span>
  );
}

/** Teacher console: the pause/resume button and which classrooms are not recorded. */
export function RecordingControls({
  status,
  nameOf,
  disabled,
  onPause,
}: {
  status: RecordingStatus;
  nameOf: (classroomId: string) => string;
  disabled?: boolean;
  onPause: (paused: boolean) => void;
}) {
  const t = useT();
  const names = status.unrecordedClassroomIds.map(nameOf).join('、');
  return (
    <>
      {(status.state === 'recording' || status.state === 'paused' || status.reason === 'disk_full') && (
        <button
          data-testid="recording-toggle"
          disabled={disabled}
          onClick={() => onPause(status.state === 'recording')}
        >
          {status.state === 'recording' ? t('recording.pause') : t('recording.resume')}
        </button>
      )}
      {names && (
        <span className="recording-excluded" data-testid="recording-excluded">
          {t('recording.notRecordedList', { names })}
        </span>
      )}
    </>
  );
}

/**
 * Teacher console: recording faults the server has already recovered from. A quiet strip
 * under the top bar (no dialog, nothing to do) that stays until dismissed, so a teacher who
 * was looking at the class still sees it afterwards; a repeat counts up instead of stacking.
 */
export function RecordingNotices({ notices, onDismiss }: { notices: RecordingNoticeItem[]; onDismiss: (key: string) => void }) {
  const { t, lang } = useI18n();
  if (!notices.length) return null;
  return (
    <div className="recording-notices" data-testid="recording-notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.key} className="recording-notice" data-testid="recording-notice" data-kind={n.kind} data-cause={n.cause}>
          <span className="recording-notice-time">{new Date(n.at).toLocaleTimeString(localeOf(lang), { hour: '2-digit', minute: '2-digit', hour12: false })}</span>
          <span className="recording-notice-text">
            {t(n.cause === 'stalled' ? 'recording.recoveredStalled' : 'recording.recoveredCrashed', { label: n.label })}
            {n.count > 1 ? t('recording.noticeTimes', { n: n.count }) : ''}
          </span>
          <button className="link small" data-testid="recording-notice-dismiss" onClick={() => onDismiss(n.key)}>
            {t('recording.noticeDismiss')}
          </button>
        </div>
      ))}
    </div>
  );
}
