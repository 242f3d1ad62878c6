// One mediasoup worker per core, each with a WebRtcServer on its own UDP/TCP port so that
// a school firewall needs only a handful of ports open. A worker that dies is replaced
// and its listeners are told so that lessons on it can be re-created.
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { logger } from '../server/contract/log.js';
import { backoffDelay } from '../server/contract/backoff.js';
import { SingleFlight } from '../server/contract/singleFlight.js';

/** A respawn that fails (the port may linger a moment after a crash) is tried again after 100 ms, 200 ms, … 2 s. */
const RESPAWN_BACKOFF = { baseMs: 100, maxMs: 2000, jitter: 0 };

const log = logger('media.workers');

export interface WorkerPoolOptions {
  count: number;
  /** WebRtcServer ports are basePort + worker index. */
  rtcMinPort: number;
  rtcMaxPort: number;
  listenIp: string;
  announcedIp: string;
}

export interface PooledWorker {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  /** Routers (lessons) placed on this worker: the load measure used for placement. */
  routers: number;
}

interface PoolEvents {
  /** A worker died; routers on it are already closed ('workerclose' on each). */
  died: [index: number];
  replaced: [PooledWorker];
}

export class WorkerPool extends EventEmitter<PoolEvents> {
  private slots: (PooledWorker | undefined)[] = [];
  private closed = false;
  private halted = false;
  private readonly respawning = new SingleFlight<number, PooledWorker>();

  private constructor(private readonly opts: WorkerPoolOptions) {
    super();
  }

  static async create(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    for (let i = 0; i < opts.count; i++) pool.slots[i] = await pool.spawn(i);
    return pool;
  }

  get workers(): PooledWorker[] {
    return this.slots.filter((s): s is PooledWorker => !!s);
  }

  /** The least loaded live worker; waits for a respawn if every worker is down. */
  async pick(): Promise<PooledWorker> {
    if (this.closed || this.halted) throw new Error('worker pool closed');
    const live = this.workers.filter((w) => !w.worker.closed);
    if (live.length) return live.reduce((a, b) => (b.routers < a.routers ? b : a));
    const pending = this.respawning.inFlight();
    if (pending.length) return Promise.race(pending);
    // Every worker is closed but none has been reported dead yet (mediasoup closes a dead
    // worker's routers before it emits 'died'): start the respawn that onDied will share.
    const dead = this.slots.findIndex((s) => !s || s.worker.closed);
    return this.respawn(dead >= 0 ? dead : 0);
  }

  async createRouter(mediaCodecs: types.RtpCodecCapability[]): Promise<{ router: types.Router; slot: PooledWorker }> {
    const slot = await this.pick();
    const router = await slot.worker.createRouter({ mediaCodecs });
    slot.routers++;
    router.observer.once('close', () => slot.routers--);
    return { router, slot };
  }

  private async spawn(index: number): Promise<PooledWorker> {
    const port = this.opts.rtcMinPort + index;
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.opts.rtcMinPort + this.opts.count,
      rtcMaxPort: this.opts.rtcMaxPort,
    });
    const webRtcServer = await worker
      .createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: this.opts.listenIp, announcedIp: this.opts.announcedIp, port },
          { protocol: 'tcp', ip: this.opts.listenIp, announcedIp: this.opts.announcedIp, port },
        ],
      })
      .catch((err) => {
        // Without its port the worker is useless; do not leave the process behind.
        worker.close();
        throw err;
      });
    const slot: PooledWorker = { index, worker, webRtcServer, routers: 0 };
    worker.on('died', (err) => this.onDied(slot, err));
    log.info('worker started', { index, pid: worker.pid, port });
    return slot;
  }

  private onDied(slot: PooledWorker, err: Error): void {
    log.error('worker died', { index: slot.index, pid: slot.worker.pid, err });
    if (this.slots[slot.index] === slot) this.slots[slot.index] = undefined;
    this.emit('died', slot.index);
    if (this.closed || this.halted) return;
    this.respawn(slot.index).catch((e) => log.error('worker respawn gave up', { index: slot.index, err: e }));
  }

  /** One respawn per slot at a time, shared by onDied() and pick(). */
  private respawn(index: number): Promise<PooledWorker> {
    return this.respawning.run(index, () =>
      this.respawnWithBackoff(index).then((fresh) => {
        if (this.closed) {
          fresh.worker.close();
          throw new Error('worker pool closed');
        }
        this.slots[index] = fresh;
        this.emit('replaced', fresh);
        return fresh;
      }),
    );
  }

  private async respawnWithBackoff(index: number): Promise<PooledWorker> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.spawn(index);
      } catch (err) {
        // The port may linger a moment after a crash.
        if (attempt >= 20 || this.closed) throw err;
        await new Promise((r) => setTimeout(r, backoffDelay(attempt + 1, RESPAWN_BACKOFF)));
      }
    }
  }

  /** Shutdown has begun: a worker that dies now (the group's SIGTERM reached it) stays dead. */
  stopRespawning(): void {
    this.halted = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.workers) s.worker.close();
    this.slots = [];
  }
}
