// A headless plan editor for tests and benchmarks: a Y.Doc synced over /plans.io exactly as
// the browser's PlanProvider does (join with state vector, send what the server lacks, send
// every local update, apply remote ones, resync after a reconnect).
import { io as ioClient, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import type { Ack } from '../../server/contract/errors.js';
import {
  PLAN_SOCKET_PATH,
  type PlanClientEventName,
  type PlanClientPayload,
  type PlanClientResults,
  type PlanClientToServerEvents,
  type PlanJoinResult,
  type PlanServerToClientEvents,
} from '../../server/contract/planEvents.js';

export type PlanSocket = Socket<PlanServerToClientEvents, PlanClientToServerEvents>;

export function planSocket(baseUrl: string, cookie: string | null, opts: { reconnection?: boolean } = {}): PlanSocket {
  return ioClient(baseUrl, {
    path: PLAN_SOCKET_PATH,
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
}

export function planRequest<E extends PlanClientEventName>(
  socket: PlanSocket,
  event: E,
  payload: PlanClientPayload<E> | unknown,
  timeoutMs = 5_000,
): Promise<Ack<PlanClientResults[E]>> {
  const s = socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<Ack<PlanClientResults[E]>> };
  return s.emitWithAck(event, payload);
}

export class HeadlessEditor {
  readonly doc = new Y.Doc();
  readonly socket: PlanSocket;
  joined: PlanJoinResult | null = null;
  /** Errors of updates the server refused. */
  readonly refused: string[] = [];
  private readonly onLocal = (update: Uint8Array, origin: unknown) => {
    if (origin === 'remote' || !this.socket.connected || !this.joined) return;
    this.send(update);
  };

  /** Sends an update; one the server could not store (it lacks what it depends on) is resent with all it lacks. */
  private send(update: Uint8Array, retries = 2): void {
    void planRequest(this.socket, 'plan:update', { planId: this.planId, update }).then((r) => {
      if (!r.ok) this.refused.push(`${r.error.code}: ${r.error.message}`);
      else if (!r.data.stored && retries > 0) this.send(Y.encodeStateAsUpdate(this.doc, new Uint8Array(r.data.stateVector)), retries - 1);
      else if (!r.data.stored) this.refused.push('not stored: the server lacks what this update depends on');
    }, () => undefined);
  }

  constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    readonly planId: string,
    opts: { reconnection?: boolean } = {},
  ) {
    this.socket = planSocket(baseUrl, cookie, opts);
    this.socket.on('plan:update', ({ planId, update }) => {
      if (planId === this.planId) Y.applyUpdate(this.doc, new Uint8Array(update), 'remote');
    });
    this.doc.on('update', this.onLocal);
    // After a reconnect: join again and exchange what each side lacks.
    this.socket.io.on('reconnect', () => void this.join());
  }

  async connect(): Promise<this> {
    if (!this.socket.connected) {
      await new Promise<void>((resolve, reject) => {
        this.socket.once('connect', () => resolve());
        this.socket.once('connect_error', (e) => reject(e));
      });
    }
    await this.join();
    return this;
  }

  async join(): Promise<PlanJoinResult> {
    const res = await planRequest(this.socket, 'plan:join', { planId: this.planId, stateVector: Y.encodeStateVector(this.doc) });
    if (!res.ok) throw new Error(`plan:join: ${res.error.code} ${res.error.message}`);
    Y.applyUpdate(this.doc, new Uint8Array(res.data.update), 'remote');
    this.joined = res.data;
    const missing = Y.encodeStateAsUpdate(this.doc, new Uint8Array(res.data.stateVector));
    // An empty update is 2 bytes (no structs, empty delete set).
    if (missing.byteLength > 2) {
      const r = await planRequest(this.socket, 'plan:update', { planId: this.planId, update: missing });
      if (!r.ok) throw new Error(`resync: ${r.error.code} ${r.error.message}`);
      if (!r.data.stored) throw new Error('resync: the server lacks what this document depends on');
    }
    return res.data;
  }

  get fragment(): Y.XmlFragment {
    return this.doc.getXmlFragment('default');
  }

  /** Appends a paragraph with `text` at the end of the document. */
  appendParagraph(text: string): Y.XmlText {
    const p = new Y.XmlElement('paragraph');
    const t = new Y.XmlText(text);
    p.insert(0, [t]);
    this.fragment.push([p]);
    return t;
  }

  text(): string {
    return this.fragment.toString();
  }

  close(): void {
    this.doc.off('update', this.onLocal);
    this.socket.disconnect();
    this.doc.destroy();
  }
}
