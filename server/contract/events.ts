// The one Socket.IO contract for live lessons, used by server and client.
// Client→server events carry one payload validated by the schema of the same name,
// and an ack callback answered with Ack<Result>. Names are `entity:verb`.
import { z } from 'zod';
import type { Ack } from './errors.js';
import type {
  ChatMessage,
  Lesson,
  LessonRole,
  MediaSource,
  PeerInfo,
  Quiz,
  QuizAnswer,
  RaisedHand,
  RecordingStatus,
} from './domain.js';
import type { Annotation } from './research.js';

import type { RecordingProgress } from './recordings.js';
export { LIMITS } from './limits.js';
// 集体备课 has its own Socket.IO server (/plans.io); its contract lives beside this one.
export * from './planEvents.js';
import { LIMITS } from './limits.js';

const id = z.string().min(1).max(64);
const shortStr = z.string().max(256);
const int = z.number().int();

// WebRTC parameters: checked for shape and size here; mediasoup checks semantics.
const dtlsParameters = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().max(200),
      }),
    )
    .min(1)
    .max(8),
});

const codec = z.object({
  mimeType: shortStr,
  payloadType: int.min(0).max(127),
  clockRate: int.min(1).max(1_000_000),
  channels: int.min(1).max(8).optional(),
  parameters: z.record(z.string().max(64), z.union([z.string().max(256), z.number()])).optional(),
  rtcpFeedback: z.array(z.object({ type: shortStr, parameter: shortStr.optional() })).max(16).optional(),
});

const rtpParameters = z.object({
  mid: shortStr.optional(),
  codecs: z.array(codec).min(1).max(16),
  headerExtensions: z
    .array(
      z.object({
        uri: shortStr,
        id: int.min(1).max(255),
        encrypt: z.boolean().optional(),
        parameters: z.record(z.string().max(64), z.unknown()).optional(),
      }),
    )
    .max(20)
    .optional(),
  encodings: z
    .array(
      z.object({
        ssrc: int.min(0).max(0xffffffff).optional(),
        rid: shortStr.optional(),
        codecPayloadType: int.min(0).max(127).optional(),
        rtx: z.object({ ssrc: int.min(0).max(0xffffffff) }).optional(),
        dtx: z.boolean().optional(),
        scalabilityMode: shortStr.optional(),
        scaleResolutionDownBy: z.number().min(1).max(64).optional(),
        maxBitrate: int.min(0).max(100_000_000).optional(),
        maxFramerate: z.number().min(0).max(120).optional(),
        active: z.boolean().optional(),
      }),
    )
    .max(4)
    .optional(),
  rtcp: z
    .object({ cname: shortStr.optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() })
    .optional(),
});

const rtpCapabilities = z.object({
  codecs: z
    .array(
      codec.extend({
        kind: z.enum(['audio', 'video']),
        preferredPayloadType: int.min(0).max(127).optional(),
      }).partial({ payloadType: true }),
    )
    .max(64)
    .optional(),
  headerExtensions: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        uri: shortStr,
        preferredId: int.min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});

export const clientSchemas = {
  'lesson:join': z.object({
    lessonId: id,
    /**
     * Media set up in the same round trip: the transports, and (when `caps` names the router
     * capabilities this server has, i.e. the client joined before) its own capabilities, so
     * that consumers follow the ack at once. Without `caps` the client sends media:ready.
     */
    media: z
      .object({
        send: z.boolean(),
        caps: z.object({ routerCapsKey: shortStr, rtpCapabilities }).optional(),
      })
      .optional(),
  }),
  'lesson:leave': z.object({}),
  'lesson:start': z.object({}),
  'lesson:end': z.object({}),
  'media:ready': z.object({ rtpCapabilities }),
  'transport:create': z.object({ direction: z.enum(['send', 'recv']) }),
  'transport:connect': z.object({ transportId: id, dtlsParameters }),
  'transport:restartIce': z.object({ transportId: id }),
  'producer:create': z.object({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    source: z.enum(['camera', 'mic', 'screen']),
    rtpParameters,
  }),
  'producer:close': z.object({ producerId: id }),
  'producer:pause': z.object({ producerId: id }),
  'producer:resume': z.object({ producerId: id }),
  /** Which simulcast layer this view needs (0 = lowest), from its on-screen size and link. */
  'consumer:setLayers': z.object({ consumerId: id, spatialLayer: int.min(0).max(3) }),
  'consumer:pause': z.object({ consumerId: id }),
  'consumer:resume': z.object({ consumerId: id }),
  'hand:raise': z.object({}),
  'hand:lower': z.object({ classroomId: id.optional() }),
  'stage:set': z.object({ classroomId: id.nullable() }),
  'classroom:mute': z.object({ classroomId: id, muted: z.boolean() }),
  'chat:send': z.object({ text: z.string().trim().min(1).max(LIMITS.chatTextMax) }),
  'quiz:push': z.object({
    kind: z.enum(['choice', 'truefalse']),
    question: z.string().trim().min(1).max(LIMITS.quizQuestionMax),
    options: z.array(z.string().trim().min(1).max(LIMITS.quizOptionMax)).min(2).max(LIMITS.quizOptionsMax).optional(),
  }),
  'quiz:answer': z.object({
    quizId: id,
    /** Teacher answers for the host (city) class; a classroom device only for itself. */
    classroomId: id.optional(),
    counts: z.array(int.min(0).max(LIMITS.quizCountMax)).min(2).max(LIMITS.quizOptionsMax),
  }),
  'quiz:close': z.object({ quizId: id }),
  /** Teacher only: stop/continue writing media; the live lesson is unaffected. */
  'recording:pause': z.object({}),
  'recording:resume': z.object({}),
  /** The recordings page follows these lessons' processing (recording:progress); visibility checked per lesson. */
  'recording:watch': z.object({ lessonIds: z.array(id).max(LIMITS.recordingWatchMax) }),
  // 评课 on a recording or a live lesson (server/research/socket.ts); watch joins the lesson's
  // annotation room and answers the notes so far.
  'annotation:watch': z.object({ lessonId: id }),
  'annotation:unwatch': z.object({ lessonId: id }),
  'annotation:create': z.object({
    lessonId: id,
    /** Lesson-clock ms; omitted by a live observer: the server stamps "now" on the lesson clock. */
    atMs: int.min(0).max(24 * 3600_000).optional(),
    endMs: int.min(0).max(24 * 3600_000).nullable().optional(),
    framework: z.enum(['none', 'st', 'flanders', 'rubric']).default('none'),
    code: z.string().max(32).nullable().optional(),
    text: z.string().trim().min(1).max(2000),
    parentId: id.nullable().optional(),
    groupId: id.nullable().optional(),
  }),
  'annotation:delete': z.object({ annotationId: id }),
} as const;

export type ClientEventName = keyof typeof clientSchemas;
export type ClientPayload<E extends ClientEventName> = z.infer<(typeof clientSchemas)[E]>;

export interface TransportOptions {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
  sctpParameters?: unknown;
  /** TURN/STUN for clients behind NAT (empty on a LAN). */
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
}

/** The media part of a lesson:join that asked for it. */
export interface JoinedMedia {
  recv: TransportOptions;
  /** Null for an observer, or when the client did not ask for one. */
  send: TransportOptions | null;
  /** The client's capabilities were taken: consumers come without media:ready. */
  consuming: boolean;
}

export interface LessonSnapshot {
  lesson: Lesson;
  self: PeerInfo;
  peers: PeerInfo[];
  routerRtpCapabilities: unknown;
  /** Names routerRtpCapabilities: a client that remembers it may skip loading them again. */
  routerCapsKey: string;
  media: JoinedMedia | null;
  stageClassroomId: string | null;
  mutedClassroomIds: string[];
  hands: RaisedHand[];
  chat: ChatMessage[];
  quiz: { quiz: Quiz; answers: QuizAnswer[] } | null;
  recording: RecordingStatus;
}

/** What each client event answers with. */
export interface ClientResults {
  'lesson:join': LessonSnapshot;
  'lesson:leave': null;
  'lesson:start': Lesson;
  'lesson:end': Lesson;
  'media:ready': null;
  'transport:create': TransportOptions;
  'transport:connect': null;
  'transport:restartIce': { iceParameters: unknown };
  'producer:create': { producerId: string };
  'producer:close': null;
  'producer:pause': null;
  'producer:resume': null;
  'consumer:setLayers': null;
  'consumer:pause': null;
  'consumer:resume': null;
  'hand:raise': null;
  'hand:lower': null;
  'stage:set': null;
  'classroom:mute': null;
  'chat:send': ChatMessage;
  'quiz:push': Quiz;
  'quiz:answer': QuizAnswer;
  'quiz:close': null;
  'recording:pause': RecordingStatus;
  'recording:resume': RecordingStatus;
  /** The lessons actually followed (those this user may see). */
  'recording:watch': { lessonIds: string[] };
  'annotation:watch': Annotation[];
  'annotation:unwatch': null;
  'annotation:create': Annotation;
  'annotation:delete': null;
}

export interface NewConsumer {
  consumerId: string;
  producerId: string;
  peerId: string;
  classroomId: string | null;
  source: MediaSource;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  /** The producer is paused (e.g. a muted classroom): show it as such. */
  producerPaused: boolean;
}

/**
 * Something about the recording the teacher should know but need not act on (the server
 * already fixed it). Only the track's label (who and which source, as the recordings page
 * names it): no ids, paths or ffmpeg text.
 */
export interface RecordingNotice {
  kind: 'recorder-restarted';
  /** stalled: alive but writing nothing (the watchdog); crashed: the recorder process died. */
  cause: 'stalled' | 'crashed';
  label: string;
}

export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack: (res: Ack<ClientResults[E]>) => void) => void;
};

export interface ServerToClientEvents {
  'peer:joined': (peer: PeerInfo) => void;
  'peer:left': (peer: { peerId: string }) => void;
  /** The server decided this peer should receive a producer; answer once the local consumer exists. */
  'consumer:new': (c: NewConsumer, ack: (res: Ack<null>) => void) => void;
  'consumer:closed': (c: { consumerId: string }) => void;
  'consumer:paused': (c: { consumerId: string }) => void;
  'consumer:resumed': (c: { consumerId: string }) => void;
  'lesson:state': (lesson: Lesson) => void;
  'hands:updated': (hands: RaisedHand[]) => void;
  'stage:updated': (s: { classroomId: string | null }) => void;
  'classroom:muted': (s: { mutedClassroomIds: string[] }) => void;
  /** Audio level (dBov, -127..0) per classroom, to the teacher, a few times a second. */
  'audio:levels': (levels: { classroomId: string; volume: number }[]) => void;
  'chat:message': (m: ChatMessage) => void;
  'quiz:pushed': (q: Quiz) => void;
  'quiz:results': (r: { quiz: Quiz; answers: QuizAnswer[] }) => void;
  /** The lesson's media router was re-created (worker died): re-create transports and re-produce. */
  'media:reset': () => void;
  /** Recording started, paused, resumed or stopped by itself (disk full): every view shows it. */
  'recording:state': (s: RecordingStatus) => void;
  /** To the lesson's teacher only: the recording hit a fault and recovered by itself. */
  'recording:notice': (n: RecordingNotice) => void;
  /** Processing progress of a followed lesson's recording (recordings page). */
  'recording:progress': (p: RecordingProgress) => void;
  /** 评课: to viewers of the lesson's annotations (annotation:watch). */
  'annotation:created': (a: Annotation) => void;
  'annotation:deleted': (a: { id: string; lessonId: string }) => void;
  /** To a user @mentioned in a note, wherever they are connected. */
  'annotation:mentioned': (a: Annotation) => void;
}

export type { LessonRole };
