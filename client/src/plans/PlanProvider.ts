// The browser's side of /plans.io: one Y.Doc and Awareness per open plan, synced like y-websocket
// but over Socket.IO. Every (re)connect joins with the local state vector, takes what it lacks
// and sends what the server lacks — so edits made offline or during a server restart merge.
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Ack } from '../../../server/contract/errors.js';
import {
  PLAN_SOCKET_PATH,
  type PlanChatMessage,
  type PlanClientToServerEvents,
  type PlanJoinResult,
  type PlanServerToClientEvents,
} from '../../../server/contract/planEvents.js';
import { Emitter } from '../live/emitter.js';

export type PlanStatus = 'connecting' | 'synced' | 'offline';

type Events = {
  status: (s: PlanStatus) => void;
  joined: (j: PlanJoinResult) => void;
  chat: (m: PlanChatMessage) => void;
  changed: (what: 'comments' | 'versions' | 'phases') => void;
  refused: (message: string) => void;
};

const bytes = (v: unknown) => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));

export class PlanProvider extends Emitter<Events> {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly socket: Socket<PlanServerToClientEvents, PlanClientToServerEvents>;
  status: PlanStatus = 'connecting';
  joined: PlanJoinResult | null = null;
  private synced = false;
  private destroyed = false;

  constructor(readonly planId: string) {
    super();
    this.socket = io({ path: PLAN_SOCKET_PATH, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 3000 });
    this.socket.on('connect', () => void this.join());
    this.socket.on('disconnect', (reason) => {
      this.synced = false;
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
    try {
      const res = await this.request<PlanJoinResult>('plan:join', { planId: this.planId, stateVector: Y.encodeStateVector(this.doc) });
      if (!res.ok) {
        this.emit('refused', `${res.error.code}: ${res.error.message}`);
        return;
      }
      Y.applyUpdate(this.doc, bytes(res.data.update), this);
      if (res.data.awareness) awarenessProtocol.applyAwarenessUpdate(this.awareness, bytes(res.data.awareness), this);
      this.joined = res.data;
      if (res.data.access === 'edit') {
        const missing = Y.encodeStateAsUpdate(this.doc, bytes(res.data.stateVector));
        if (missing.byteLength > 2) await this.send(missing);
      }
      this.synced = true;
      this.sendAwareness([this.doc.clientID]);
      this.setStatus('synced');
      this.emit('joined', res.data);
    } catch (err) {
      // No answer (link dropped mid-join): the next connect joins again.
      console.warn('[tongbu] plan join failed', err);
    }
  }

  private async send(update: Uint8Array): Promise<void> {
    const res = await this.request<null>('plan:update', { planId: this.planId, update }).catch(() => null);
    // Not acked: the server may or may not have it; the next join's state vectors settle it.
    if (res && !res.ok) {
      // Not stored (database trouble): join again shortly, which re-sends what the server lacks.
      if (res.error.code === 'UNAVAILABLE') setTimeout(() => void this.join(), 2000);
      else this.emit('refused', `${res.error.code}: ${res.error.message}`);
    }
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown) => {
    if (origin === this || !this.synced || !this.socket.connected || this.joined?.access !== 'edit') return;
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
