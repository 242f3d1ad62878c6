// The narrow port between a live lesson and its recording. The recording sees the router, the
// producers and who published them, nothing else of the lesson (as a mediasoup Transport gets
// its Router's getProducerById, not the Router): it cannot reach the lesson's peers, sockets
// or state, and the lesson can change how it keeps them without touching the recording.
import type { types } from 'mediasoup';
import type { Lesson, PeerInfo } from '../contract/domain.js';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import type { LessonRecording } from './LessonRecording.js';

/** What a LessonRecording (and its recorder runs) may read of its lesson. */
export interface RecordingHost {
  readonly lessonId: string;
  /** The host school's classroom: the teacher's camera and mic film its class, so they follow its school's consent. */
  readonly hostClassroomId: string;
  /** The lesson's router now (null while a lost media worker's replacement is being made). */
  router(): types.Router | null;
  /** Every producer of the lesson now (after a media worker restart: those of the new router). */
  producers(): Iterable<types.Producer<ProducerMeta>>;
  /** Who publishes from this peer (undefined once they have left). */
  owner(peerId: string): PeerInfo | undefined;
  /** True while routine key-frame requests should wait (a joining browser's first frame is due). */
  keyFramesHeld(): boolean;
}

/**
 * What the recording service needs of a live lesson: its state, its port, and a place for
 * the recording it makes. The lesson owns the recording from then on (LiveLesson →
 * LessonRecording → RecorderRun) and stops or closes it when it closes itself.
 */
export interface RecordedLesson {
  readonly lesson: Pick<Lesson, 'id' | 'state' | 'startedAt'>;
  readonly recordingHost: RecordingHost;
  /** The lesson takes the recording as its child; a lesson closed meanwhile closes it at once. */
  adoptRecording(rec: LessonRecording): void;
}
