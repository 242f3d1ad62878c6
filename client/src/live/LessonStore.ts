// What a lesson view shows, as one immutable state object for React (useSyncExternalStore),
// and the server events that only change it (peers, hands, stage, chat, quiz, recording,
// audio levels). The join machine, media and local devices write their parts through set().
import type { ChatMessage, Lesson, PeerInfo, Quiz, QuizAnswer, RecordingStatus } from '../../../server/contract/domain.js';
import type { LessonSnapshot, RecordingNotice } from '../../../server/contract/events.js';
import { tr } from '../i18n/index.js';
import type { LessonView } from '../routes.js';
import { toast } from '../toast.js';
import type { Emitter } from './emitter.js';
import type { Phase } from './joinMachine.js';
import type { LessonClientEvents } from './LessonClient.js';
import type { ConsumerInfo, ProducerInfo } from './MediaSession.js';
import type { NetQuality } from './netQuality.js';

export type ViewMode = LessonView;
export type { Phase };

/**
 * What lesson:join brings and the server's events keep current: peers, stage, mutes, hands,
 * chat, quiz, and `recording` (录制中 / paused / stopped (disk full), and the classrooms not
 * recorded for want of consent).
 */
type Joined = Pick<LessonSnapshot, 'peers' | 'stageClassroomId' | 'mutedClassroomIds' | 'hands' | 'chat' | 'quiz' | 'recording'>;

export interface LiveState extends Joined {
  lessonId: string;
  mode: ViewMode;
  phase: Phase;
  socketConnected: boolean;
  error: string | null;
  lesson: Lesson | null;
  self: PeerInfo | null;
  /** Recording faults the server recovered from (teacher only), newest last, until dismissed. */
  recordingNotices: RecordingNoticeItem[];
  /** dBov (-127..0) per classroom, from `audio:levels` (teacher only). */
  audioLevels: Record<string, number>;
  consumers: ConsumerInfo[];
  producers: ProducerInfo[];
  localCamera: MediaStreamTrack | null;
  localMic: MediaStreamTrack | null;
  localScreen: MediaStreamTrack | null;
  netQuality: NetQuality;
}

/** One line per track and cause: a recorder that keeps failing counts up instead of stacking. */
export interface RecordingNoticeItem extends RecordingNotice {
  key: string;
  count: number;
  /** When it last happened (ms since epoch). */
  at: number;
}

const NOTICES_KEEP = 4;
const CHAT_KEEP = 200;
const LEVEL_STALE_MS = 1500;

export class LessonStore {
  private value: LiveState;
  private listeners = new Set<() => void>();
  private levelsAt = 0;

  constructor(lessonId: string, mode: ViewMode) {
    this.value = {
      lessonId,
      mode,
      phase: 'connecting',
      socketConnected: false,
      error: null,
      lesson: null,
      self: null,
      peers: [],
      stageClassroomId: null,
      mutedClassroomIds: [],
      hands: [],
      chat: [],
      quiz: null,
      recording: { state: 'off', reason: null, unrecordedClassroomIds: [] },
      recordingNotices: [],
      audioLevels: {},
      consumers: [],
      producers: [],
      localCamera: null,
      localMic: null,
      localScreen: null,
      netQuality: 'good',
    };
  }

  get state(): LiveState {
    return this.value;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): LiveState => this.value;

  set(patch: Partial<LiveState>): void {
    this.value = { ...this.value, ...patch };
    for (const l of this.listeners) l();
  }

  /** The view has gone: nobody renders this state any more. */
  close(): void {
    this.listeners.clear();
  }

  /**
   * Keeps the state in step with the server's events that change only what is shown; returns
   * a stop for the audio-level expiry (the events end with the client).
   */
  follow(ev: Emitter<LessonClientEvents>): () => void {
    ev.on('peer:joined', (peer) => {
      this.set({ peers: [...this.value.peers.filter((p) => p.peerId !== peer.peerId), peer] });
    });
    ev.on('peer:left', ({ peerId }) => {
      this.set({ peers: this.value.peers.filter((p) => p.peerId !== peerId) });
    });
    ev.on('hands:updated', (hands) => this.set({ hands }));
    ev.on('stage:updated', ({ classroomId }) => this.set({ stageClassroomId: classroomId }));
    ev.on('classroom:muted', ({ mutedClassroomIds }) => this.set({ mutedClassroomIds }));
    ev.on('recording:state', (recording) => this.setRecording(recording));
    ev.on('recording:notice', (n) => this.addRecordingNotice(n));
    ev.on('audio:levels', (levels) => {
      const audioLevels: Record<string, number> = {};
      for (const l of levels) audioLevels[l.classroomId] = l.volume;
      this.levelsAt = Date.now();
      this.set({ audioLevels });
    });
    ev.on('chat:message', (m) => this.addChat(m));
    ev.on('quiz:pushed', (quiz) => {
      const cur = this.value.quiz;
      this.set({ quiz: cur && cur.quiz.id === quiz.id ? { ...cur, quiz } : { quiz, answers: [] } });
    });
    ev.on('quiz:results', (r) => this.set({ quiz: r }));
    const expiry = setInterval(() => {
      if (this.levelsAt && Date.now() - this.levelsAt > LEVEL_STALE_MS && Object.keys(this.value.audioLevels).length) {
        this.set({ audioLevels: {} });
      }
    }, 500);
    return () => clearInterval(expiry);
  }

  /** What lesson:join brought about the lesson (the media part is the session's). */
  applySnapshot(snap: LessonSnapshot): void {
    this.set({
      lesson: snap.lesson,
      self: snap.self,
      peers: snap.peers,
      stageClassroomId: snap.stageClassroomId,
      mutedClassroomIds: snap.mutedClassroomIds,
      hands: snap.hands,
      chat: mergeChat([], snap.chat),
      quiz: snap.quiz,
      recording: snap.recording ?? this.value.recording,
    });
  }

  setRecording(recording: RecordingStatus): void {
    if (recording.reason === 'disk_full' && this.value.recording.reason !== 'disk_full' && this.value.mode === 'teach') {
      toast.error(tr('recording.diskFull'));
    }
    this.set({ recording });
  }

  addChat(m: ChatMessage): void {
    this.set({ chat: mergeChat(this.value.chat, [m]) });
  }

  /** A quiz this view pushed (its answers so far are kept when it is the one shown). */
  quizPushed(quiz: Quiz): void {
    const cur = this.value.quiz;
    if (!cur || cur.quiz.id !== quiz.id) this.set({ quiz: { quiz, answers: [] } });
  }

  /** This view's answer to quiz `quizId` (shown when that quiz is). */
  quizAnswered(quizId: string, answer: QuizAnswer): void {
    const cur = this.value.quiz;
    if (!cur || cur.quiz.id !== quizId) return;
    const answers = [...cur.answers.filter((a) => a.classroomId !== answer.classroomId), answer];
    this.set({ quiz: { ...cur, answers } });
  }

  private addRecordingNotice(n: RecordingNotice): void {
    if (this.value.mode !== 'teach') return;
    const key = `${n.kind}:${n.cause}:${n.label}`;
    const prev = this.value.recordingNotices.find((x) => x.key === key);
    const item: RecordingNoticeItem = { ...n, key, count: (prev?.count ?? 0) + 1, at: Date.now() };
    const rest = this.value.recordingNotices.filter((x) => x.key !== key);
    this.set({ recordingNotices: [...rest, item].slice(-NOTICES_KEEP) });
  }

  dismissRecordingNotice(key: string): void {
    this.set({ recordingNotices: this.value.recordingNotices.filter((x) => x.key !== key) });
  }
}

function mergeChat(cur: ChatMessage[], add: ChatMessage[]): ChatMessage[] {
  const seen = new Set(cur.map((m) => m.id));
  const out = [...cur];
  for (const m of add) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out.length > CHAT_KEEP ? out.slice(-CHAT_KEEP) : out;
}
