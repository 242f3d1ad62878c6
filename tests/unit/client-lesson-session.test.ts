// LessonSession's join path against a fake socket client: the machine's answers reach the
// view (phase), a join answer that a drop superseded is ignored, and leaving while waiting to
// retry stops for good. (Media itself needs a browser: tests/e2e/live-lesson.spec.ts.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LessonSnapshot } from '../../server/contract/events.js';
import { DevicePreload } from '../../client/src/live/devicePreload.js';
import { Emitter } from '../../client/src/live/emitter.js';
import type { LessonClient, LessonClientEvents } from '../../client/src/live/LessonClient.js';
import { RequestError } from '../../client/src/requestError.js';
import { LessonSession } from '../../client/src/live/LessonSession.js';

interface Pending {
  event: string;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

class FakeClient {
  readonly events = new Emitter<LessonClientEvents>();
  connected = false;
  socketId: string | undefined;
  closed = false;
  requests: Pending[] = [];

  connect(): void {}

  open(socketId: string): void {
    this.connected = true;
    this.socketId = socketId;
    this.events.emit('connected');
  }

  drop(): void {
    this.connected = false;
    this.events.emit('disconnected', 'transport close');
  }

  request(event: string): Promise<unknown> {
    return new Promise((resolve, reject) => this.requests.push({ event, resolve, reject }));
  }

  joins(): Pending[] {
    return this.requests.filter((r) => r.event === 'lesson:join');
  }

  close(): void {
    this.closed = true;
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function snapshot(state: 'live' | 'ended'): LessonSnapshot {
  return {
    lesson: { id: 'L1', state } as LessonSnapshot['lesson'],
    self: { peerId: 'p', lessonRole: 'observer', classroomId: null } as unknown as LessonSnapshot['self'],
    peers: [],
    routerRtpCapabilities: {},
    routerCapsKey: 'k',
    media: null,
    stageClassroomId: null,
    mutedClassroomIds: [],
    hands: [],
    chat: [],
    quiz: null,
    recording: { state: 'off', reason: null, unrecordedClassroomIds: [] },
  };
}

function session() {
  const client = new FakeClient();
  const live = new LessonSession('L1', 'observe', new DevicePreload(), client as unknown as LessonClient);
  return { client, live };
}

describe('LessonSession join path', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubGlobal('fetch', () => Promise.reject(new Error('no server here')));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('a lesson that is not there is fatal', async () => {
    const { client, live } = session();
    live.start();
    client.open('s1');
    expect(live.state.phase).toBe('connecting');
    client.joins()[0].reject(new RequestError('NOT_FOUND', 'no such lesson'));
    await flush();
    expect([live.state.phase, live.state.error]).toEqual(['fatal', 'no such lesson']);
    live.stop();
  });

  it('ignores the answer to a join that a drop superseded, and joins again on the new socket', async () => {
    const { client, live } = session();
    live.start();
    client.open('s1');
    const stale = client.joins()[0];
    client.drop();
    expect([live.state.phase, live.state.socketConnected]).toEqual(['reconnecting', false]);
    client.open('s2');
    expect(client.joins()).toHaveLength(2);
    stale.resolve(snapshot('ended'));
    await flush();
    expect(live.state.phase).toBe('reconnecting');
    expect(live.state.lesson).toBeNull();

    client.joins()[1].reject(new RequestError('TIMEOUT', 'timeout'));
    await flush();
    expect(live.state.phase).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(20_000); // the backoff
    expect(client.joins()).toHaveLength(3);
    client.joins()[2].resolve(snapshot('ended'));
    await flush();
    expect(live.state.phase).toBe('ended');
    expect(client.requests.at(-1)?.event).toBe('lesson:leave');
    live.stop();
  });

  it('leaving while it waits to retry stops for good', async () => {
    const { client, live } = session();
    live.start();
    client.open('s1');
    client.joins()[0].reject(new RequestError('TIMEOUT', 'timeout'));
    await flush();
    expect(live.state.phase).toBe('reconnecting');
    live.stop();
    expect(client.requests.at(-1)?.event).toBe('lesson:leave');
    client.requests.at(-1)!.resolve(null);
    await flush();
    expect(client.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.joins()).toHaveLength(1);
    client.open('s2'); // a late event from the socket changes nothing
    expect(client.joins()).toHaveLength(1);
  });
});
