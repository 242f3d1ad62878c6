// Socket.IO for live lessons: cookie-authenticated, one SocketSession per connection.
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { LIMITS } from '../contract/events.js';
import type { Db } from '../db/db.js';
import type { Lesson } from '../contract/domain.js';
import { cookieAuth } from '../auth/socketAuth.js';
import { capSocketsPerUser } from '../auth/socketCap.js';
import { chatLimiter as defaultChatLimiter, type RateLimiter } from '../auth/rateLimit.js';
import type { WorkerPool } from '../../media/WorkerPool.js';
import { SocketEdge } from './edge.js';
import { LessonRegistry } from './LessonRegistry.js';
import { SocketSession } from './session.js';
import { registerLessonHandlers } from './handlers/lesson.js';
import { registerMediaHandlers } from './handlers/media.js';
import { registerClassroomHandlers } from './handlers/classroom.js';
import { registerChatHandlers } from './handlers/chat.js';
import { registerQuizHandlers } from './handlers/quiz.js';
import { registerResearchHandlers } from '../research/socket.js';
import { registerRecordingHandlers } from './handlers/recording.js';
import { registerRecordingWatchHandlers } from '../recordings/socket.js';
import type { RecordingService } from '../recordings/RecordingService.js';
import { iceServersFrom } from './iceServers.js';
import { HEARTBEAT } from './heartbeat.js';
import type { LiveServer } from './types.js';


export interface LiveService {
  io: LiveServer;
  registry: LessonRegistry;
  close(): Promise<void>;
}

export function createLiveService(
  httpServer: HttpServer,
  deps: {
    db: Db;
    pool: WorkerPool;
    onLessonEnded?: (lesson: Lesson) => Promise<void>;
    recordings?: RecordingService;
    /** Shared through Redis by the web role; in memory when absent. */
    chatLimiter?: RateLimiter;
    /** The handshake's Origin check (server/http/origin.ts). */
    allowRequest?: ServerOptions['allowRequest'];
    /** TURN relay handed to browsers (config.turn). */
    turn?: { url: string; secret: string } | null;
  },
): LiveService {
  const io: LiveServer = new Server(httpServer, {
    // Frames up to 4× an event's limit are read, so the edge can answer TOO_LARGE instead of a close.
    maxHttpBufferSize: LIMITS.frameBytesMax,
    // Tolerates a busy machine: a late pong is not a vanished client (heartbeat.ts).
    ...HEARTBEAT,
    serveClient: false,
    allowRequest: deps.allowRequest,
  });
  const registry = new LessonRegistry({ db: deps.db, io, pool: deps.pool, recordings: deps.recordings });
  deps.recordings?.onStatus((lessonId, status) => io.to(`lesson:${lessonId}`).emit('recording:state', status));
  // A recovered recorder fault is the teacher's business only (a projector must not flash it at a class).
  const onRecorderRestarted = ({ lessonId, label, cause }: { lessonId: string; label: string; cause: 'stalled' | 'crashed' }) => {
    for (const p of registry.get(lessonId)?.peers.values() ?? []) {
      if (p.info.lessonRole === 'teacher') p.socket.emit('recording:notice', { kind: 'recorder-restarted', cause, label });
    }
  };
  deps.recordings?.on('recorderRestarted', onRecorderRestarted);
  const chatLimiter = deps.chatLimiter ?? defaultChatLimiter('lesson');
  const iceServers = iceServersFrom(deps.turn);

  io.use(cookieAuth(deps.db));
  io.use(capSocketsPerUser(LIMITS.socketsPerUserMax));

  io.on('connection', (socket) => {
    const session = new SocketSession(socket, new SocketEdge(socket), {
      db: deps.db,
      registry,
      chatLimiter,
      iceServers,
      onLessonEnded: deps.onLessonEnded,
      recordings: deps.recordings,
    });
    registerLessonHandlers(session);
    registerMediaHandlers(session);
    registerClassroomHandlers(session);
    registerChatHandlers(session);
    registerQuizHandlers(session);
    registerResearchHandlers(session);
    registerRecordingHandlers(session);
    registerRecordingWatchHandlers(session);
    socket.on('disconnect', () => session.leave());
  });

  return {
    io,
    registry,
    async close() {
      deps.recordings?.off('recorderRestarted', onRecorderRestarted);
      // The lessons close at once; their recordings finish writing meanwhile.
      const lessons = registry.closeAll();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await lessons;
    },
  };
}
