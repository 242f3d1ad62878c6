// Per-connection context shared by the handler files: who this socket is and which
// lesson seat it holds.
import type { Lesson, LessonRole, PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { Db } from '../db/db.js';
import type { RateLimiter } from '../auth/rateLimit.js';
import type { LessonRegistry } from './LessonRegistry.js';
import type { LiveLesson } from './LiveLesson.js';
import type { SocketEdge } from './edge.js';
import type { LiveSocket } from './types.js';
import type { RecordingService } from '../recordings/RecordingService.js';
import type { IceServer } from './iceServers.js';

export interface Seat {
  live: LiveLesson;
  peerId: string;
  role: LessonRole;
}

export interface LiveDeps {
  db: Db;
  registry: LessonRegistry;
  chatLimiter: RateLimiter;
  /** STUN/TURN handed out with every transport. */
  iceServers: () => IceServer[];
  /** Queues the after-class work (the lesson report). */
  onLessonEnded?: (lesson: Lesson) => Promise<void>;
  /** Records live lessons; absent = nothing is recorded. */
  recordings?: RecordingService;
}

export class SocketSession {
  seat: Seat | null = null;

  constructor(
    readonly socket: LiveSocket,
    readonly edge: SocketEdge,
    readonly deps: LiveDeps,
  ) {}

  get user(): PublicUser {
    return this.socket.data.user;
  }

  /** The seat this socket holds in a lesson, or CONFLICT if it has not joined. */
  requireSeat(): Seat {
    if (!this.seat || this.seat.live.isClosed || !this.seat.live.peers.has(this.seat.peerId)) {
      this.seat = null;
      throw new AppError('CONFLICT', 'join the lesson first');
    }
    return this.seat;
  }

  requireTeacher(): Seat {
    const seat = this.requireSeat();
    if (seat.role !== 'teacher') throw new AppError('FORBIDDEN', "only the lesson's teacher may do this");
    return seat;
  }

  leave(): void {
    const seat = this.seat;
    this.seat = null;
    if (!seat) return;
    seat.live.removePeer(seat.peerId);
    this.deps.registry.leaveIfEmpty(seat.live);
  }
}
