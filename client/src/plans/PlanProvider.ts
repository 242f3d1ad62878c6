// The browser's side of /plans.io: one Y.Doc and Awareness per open plan, synced like y-websocket
// but over Socket.IO. Every (re)connect joins with the local state vector, takes what it lacks
// and sends what the server lacks — so edits made offline or during a server restart merge.
// 已同步 (synced) is reported only once the server's own state vector, from the join or an
// update's ack, covers every edit of this document and nothing sent is still unanswered;
// otherwise the provider sends Y.encodeStateAsUpdate(doc, serverStateVector) until it does.
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Ack } from '../../../server/contract/errors.js';
import {
  PLAN_SOCKET_PATH,
  type PlanChatMessage,
  type PlanClientToServerEvents,
  type PlanJoinResult,
  type PlanNotice,
  type PlanServerToClientEvents,
  type PlanUpdateResult,
} from '../../../server/contract/planEvents.js';
import { Emitter } from '../live/emitter.js';

/** saving: connected, but the server has not yet confirmed every local edit. */
export type PlanStatus = 'connecting' | 'saving' | 'synced' | 'offline';

type Events = {
  status: (s: PlanStatus) => void;
  joined: (j: PlanJoinResult) => void;
  chat: (m: PlanChatMessage) => void;
  changed: (what: 'comments' | 'versions' | 'phases') => void;
  refused: (message: string) => void;
  notice: (n: PlanNotice) => void;
};

const bytes = (v: unknown) => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));

export class PlanProvider extends Emitter<Events> {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly socket: Socket<PlanServerToClientEvents, PlanClientToServerEvents>;
  status: PlanStatus = 'connecting';
  joined: PlanJoinResult | null = null;
  /** Joined on the current connection: local edits may be sent as they happen. */
  private synced = false;
  private destroyed = false;
  /** The server's state vector as last reported (join or ack); null until joined. */
  private serverSV: Map<number, number> | null = null;
  /** Updates sent on the current connection and not answered yet. */
  private inflight = 0;
  /** A local change was made that was not sent (offline, joining): a resync must follow. */
  private dirty = false;
  /** The server refused what this document holds: stop re-sending it until the next join. */
  private stuck = false;
  /** Resyncs in a row the server could not store (it lacks what this document lacks too). */
  private unstored = 0;
  /** Bumped on every disconnect: answers to sends of an earlier connection are ignored. */
  private epoch = 0;

  constructor(readonly planId: string) {
    super();
    this.socket = io({ path: PLAN_SOCKET_PATH, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 3000 });
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', (reason) => {
      this.synced = false;
      this.epoch++;
      this.inflight = 0;
      this.setStatus('offline');
      // A server that told us to go still gets us back (a restart sends this).
      if (reason === 'io server disconnect' && !this.destroyed) setTimeout(() => this.socket.connect(), 1000);
    });
    this.socket.on('plan:update', ({ planId, update }) => {
      if (planId === this.planId) Y.applyUpdate(this.doc, bytes(update), this);
    });
    this.socket.on('plan:awareness', ({ planId, update }) => {
      if (planId === this.planId) awarenessProtocol.applyAwarenessUpdate(this.awareness, bytes(update), this);
    });
    this.socket.on('plan:chat', (m) => m.planId === this.planId && this.emit('chat', m));
    this.socket.on('plan:changed', (m) => m.planId === this.planId && this.emit('changed', m.what));
    this.socket.on('plan:notice', (m) => m.planId === this.planId && this.emit('notice', m.notice));
    this.doc.on('update', this.onDocUpdate);
    this.awareness.on('update', this.onAwarenessUpdate);
    // The browser knows it is offline before Socket.IO's ping does: stop and resync on return.
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('beforeunload', this.onUnload);
  }

  private setStatus(s: PlanStatus) {
    if (this.status === s) return;
    this.status = s;
    this.emit('status', s);
  }

  private request<T>(event: string, payload: unknown, timeoutMs = 10_000): Promise<Ack<T>> {
    const s = this.socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack<T>> };
    return s.emitWithAck(event, payload);
  }

  private async join(): Promise<void> {
    this.setStatus('connecting');
    const epoch = this.epoch;
    try {
      const res = await this.request<PlanJoinResult>('plan:join', { planId: this.planId, stateVector: Y.encodeStateVector(this.doc) });
      if (epoch !== this.epoch) return; // the link dropped meanwhile; the next connect joins again
      if (!res.ok) {
        this.emit('refused', `${res.error.code}: ${res.error.message}`);
        return;
      }
      Y.applyUpdate(this.doc, bytes(res.data.update), this);
      if (res.data.awareness) awarenessProtocol.applyAwarenessUpdate(this.awareness, bytes(res.data.awareness), this);
      this.joined = res.data;
      this.serverSV = Y.decodeStateVector(bytes(res.data.stateVector));
      this.stuck = false;
      // From here on every local edit is sent as it happens, after the resync below (one
      // socket: in order); whatever was made before is in the resync.
      this.synced = true;
      this.dirty = res.data.access === 'edit';
      this.sendAwareness([this.doc.clientID]);
      this.emit('joined', res.data);
      if (res.data.notice) this.emit('notice', res.data.notice);
      this.reconcile();
    } catch (err) {
      // No answer (link dropped mid-join): the next connect joins again.
      console.warn('[tongbu] plan join failed', err);
    }
  }

  /**
   * Compares what the server reported having with this document: sends what it lacks, or
   * reports 已同步 when it lacks nothing and no send is unanswered.
   */
  private reconcile(): void {
    if (!this.synced || !this.socket.connected || !this.joined || !this.serverSV) return;
    if (this.joined.access !== 'edit') {
      this.setStatus('synced');
      return;
    }
    if (this.inflight > 0) {
      this.setStatus('saving');
      return;
    }
    if (this.stuck) return;
    if (this.dirty || !this.serverHasAll()) {
      this.dirty = false;
      const missing = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.serverSV));
      // An empty update (2 bytes) with nothing marked dirty: nothing to send.
      if (missing.byteLength > 2 || !this.serverHasAll()) {
        this.setStatus('saving');
        void this.send(missing);
        return;
      }
    }
    this.setStatus('synced');
  }

  /** The server's state vector covers every struct this document holds. */
  private serverHasAll(): boolean {
    if (!this.serverSV) return false;
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(this.doc))) {
      if ((this.serverSV.get(client) ?? 0) < clock) return false;
    }
    return true;
  }

  private async send(update: Uint8Array): Promise<void> {
    const epoch = this.epoch;
    this.inflight++;
    const res = await this.request<PlanUpdateResult>('plan:update', { planId: this.planId, update }).catch(() => null);
    if (epoch !== this.epoch) return; // answered on a connection that is gone; the rejoin resyncs
    this.inflight--;
    if (!res) {
      // Not answered: the server may or may not have it; compare again from what it last said.
      this.dirty = true;
    } else if (res.ok) {
      this.mergeServerSV(Y.decodeStateVector(bytes(res.data.stateVector)));
      // Not stored (it depends on something the server lacks): the next round sends everything.
      if (res.data.stored) this.unstored = 0;
      else if (++this.unstored >= 3) {
        // Even everything this document holds does not complete it: neither side has what it
        // depends on. Say so rather than loop; the next join tries again.
        this.stuck = true;
        this.emit('refused', 'CONFLICT: this copy depends on changes the server never received');
        return;
      } else this.dirty = true;
    } else if (res.error.code === 'UNAVAILABLE') {
      // Not stored (database trouble): join again shortly, which re-sends what the server lacks.
      this.dirty = true;
      setTimeout(() => void this.join(), 2000);
      return;
    } else {
      this.stuck = true;
      this.emit('refused', `${res.error.code}: ${res.error.message}`);
      return;
    }
    this.reconcile();
  }

  /** Acks may arrive out of order: the server's state only grows, so keep the larger clocks. */
  private mergeServerSV(sv: Map<number, number>): void {
    if (!this.serverSV) this.serverSV = new Map();
    for (const [client, clock] of sv) if ((this.serverSV.get(client) ?? 0) < clock) this.serverSV.set(client, clock);
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this) return;
    if (!this.synced || !this.socket.connected || this.joined?.access !== 'edit') {
      // Made while offline or joining: the resync after the join sends it.
      this.dirty = true;
      if (this.status === 'synced') this.setStatus('saving');
      return;
    }
    this.setStatus('saving');
    void this.send(update);
  };

  private sendAwareness(clients: number[]) {
    if (!this.socket.connected || !this.joined) return;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients);
    this.socket.emit('plan:awareness', { planId: this.planId, update }, () => undefined);
  }

  private readonly onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === this) return;
    this.sendAwareness([...added, ...updated, ...removed]);
  };

  private readonly onOffline = () => this.socket.disconnect();
  private readonly onOnline = () => {
    if (!this.destroyed && !this.socket.connected) this.socket.connect();
  };
  private readonly onUnload = () => awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'window unload');

  async chat(text: string): Promise<Ack<PlanChatMessage>> {
    return this.request<PlanChatMessage>('plan:chat', { planId: this.planId, text });
  }

  destroy(): void {
    this.destroyed = true;
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('beforeunload', this.onUnload);
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'destroy');
    this.doc.off('update', this.onDocUpdate);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.socket.disconnect();
    this.awareness.destroy();
    this.doc.destroy();
  }
}
