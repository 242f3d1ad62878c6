// Live 评课 notes of one lesson: a Socket.IO connection (cookie-authenticated, same server as the
// live lesson) that watches the lesson's annotation room; creating goes through the same socket.
import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../../server/contract/errors.js';
import type { ClientPayload, ClientResults, ClientToServerEvents, ServerToClientEvents } from '../../../server/contract/events.js';
import type { Annotation } from '../../../server/contract/research.js';
import { RequestError } from '../requestError.js';

type S = Socket<ServerToClientEvents, ClientToServerEvents>;

function ask<E extends 'annotation:watch' | 'annotation:create' | 'annotation:delete'>(socket: S, event: E, payload: ClientPayload<E>): Promise<ClientResults[E]> {
  return new Promise((resolve, reject) => {
    (socket.timeout(10_000) as unknown as { emit(e: string, p: unknown, cb: (err: Error | null, r?: Ack<ClientResults[E]>) => void): void }).emit(
      event,
      payload,
      (err, res) => {
        if (err || !res) return reject(new RequestError('TIMEOUT', err?.message ?? 'no answer'));
        if (!res.ok) return reject(new RequestError(res.error.code, res.error.message));
        resolve(res.data);
      },
    );
  });
}

export interface AnnotationsState {
  list: Annotation[];
  connected: boolean;
  error: string | null;
  /** Ids of notes that mention me and arrived while I was here (highlighted). */
  mentionedIds: Set<string>;
  create(p: Omit<ClientPayload<'annotation:create'>, 'lessonId'>): Promise<Annotation>;
  remove(id: string): Promise<void>;
}

export function useAnnotations(lessonId: string): AnnotationsState {
  const [list, setList] = useState<Annotation[]>([]);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [mentionedIds, setMentioned] = useState<Set<string>>(new Set());
  const socketRef = useRef<S | null>(null);

  useEffect(() => {
    const socket: S = io({ path: '/socket.io', withCredentials: true, transports: ['websocket'] });
    socketRef.current = socket;
    const upsert = (a: Annotation) => setList((l) => [...l.filter((x) => x.id !== a.id), a].sort((x, y) => x.atMs - y.atMs || x.id.localeCompare(y.id)));
    socket.on('connect', () => {
      setConnected(true);
      // (Re)joining after a reconnect answers the full list, so nothing missed stays missing.
      ask(socket, 'annotation:watch', { lessonId }).then(
        (all) => {
          setList(all);
          setError(null);
        },
        (e: Error) => setError(e.message),
      );
    });
    socket.on('disconnect', () => setConnected(false));
    socket.on('annotation:created', (a) => {
      if (a.lessonId === lessonId) upsert(a);
    });
    socket.on('annotation:deleted', ({ id }) => setList((l) => l.filter((x) => x.id !== id && x.parentId !== id)));
    socket.on('annotation:mentioned', (a) => {
      if (a.lessonId === lessonId) {
        upsert(a);
        setMentioned((m) => new Set(m).add(a.id));
      }
    });
    return () => {
      socket.disconnect();
      socketRef.current = null;
    };
  }, [lessonId]);

  const create = useCallback(
    async (p: Omit<ClientPayload<'annotation:create'>, 'lessonId'>) => {
      const socket = socketRef.current;
      if (!socket) throw new RequestError('DISCONNECTED', 'not connected');
      const a = await ask(socket, 'annotation:create', { ...p, lessonId } as ClientPayload<'annotation:create'>);
      setList((l) => [...l.filter((x) => x.id !== a.id), a].sort((x, y) => x.atMs - y.atMs || x.id.localeCompare(y.id)));
      return a;
    },
    [lessonId],
  );

  const remove = useCallback(async (id: string) => {
    const socket = socketRef.current;
    if (!socket) return;
    await ask(socket, 'annotation:delete', { annotationId: id });
    setList((l) => l.filter((x) => x.id !== id && x.parentId !== id));
  }, []);

  return { list, connected, error, mentionedIds, create, remove };
}
