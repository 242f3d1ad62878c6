// The lesson's event log (`lesson_events`): one discriminated union for what is written by the
// live lesson and the recording and read by the lesson report, the recording planner, the
// replay page and the analysis. Readers get typed payloads instead of re-checking `typeof`.
// Rows are parsed once where they leave the database; a row of a type this version does not
// know (or whose payload no longer fits) is skipped by the reader, never guessed at.
import { z } from 'zod';
import { unionOf } from './workspace/attendance.js';

const id = z.string().min(1).max(64);
const empty = z.object({});
const classroom = z.object({ classroomId: id });
// A classroom's connection (its projector, or the teacher's for the host classroom): one peer.
const presence = z.object({ classroomId: id, peerId: id });
const unrecorded = z.object({ unrecordedClassroomIds: z.array(id).max(64) });

const ev = <T extends string, P extends z.ZodTypeAny>(type: T, payload: P) => z.object({ type: z.literal(type), payload });

export const lessonEventSchema = z.discriminatedUnion('type', [
  ev('lesson:start', empty),
  ev('lesson:end', empty),
  ev('stage:on', classroom),
  // The stage was cleared: no classroom.
  ev('stage:off', z.object({ classroomId: z.null() })),
  ev('screen:start', empty),
  ev('screen:stop', empty),
  ev('hand:raise', classroom),
  ev('hand:lower', classroom),
  ev('classroom:mute', classroom),
  ev('classroom:unmute', classroom),
  // Attendance (issue 12): written when a classroom's peer joins and when it leaves or is dropped.
  ev('presence:join', presence),
  ev('presence:leave', presence),
  ev('chat:message', z.object({ messageId: id })),
  ev('quiz:push', z.object({ quizId: id })),
  ev('recording:start', unrecorded),
  ev('recording:consent', unrecorded),
  ev('recording:pause', empty),
  ev('recording:resume', empty),
  ev('recording:stop', z.object({ reason: z.string().max(64) })),
  ev('recording:gap', z.object({ trackId: id, fromMs: z.number(), toMs: z.number(), reason: z.string().max(64) })),
  ev('recording:restarted', z.object({ trackId: id, reason: z.string().max(64) })),
]);

export type LessonEventData = z.infer<typeof lessonEventSchema>;
export type LessonEventType = LessonEventData['type'];
export type LessonEventPayload<T extends LessonEventType> = Extract<LessonEventData, { type: T }>['payload'];

/** A stored row's type and payload as the union, or null when this version does not know it. */
export function parseLessonEvent(type: string, payload: unknown): LessonEventData | null {
  const r = lessonEventSchema.safeParse({ type, payload: payload ?? {} });
  return r.success ? r.data : null;
}

/** The classroom an event is about, if it is about one. */
export function eventClassroomId(e: LessonEventData): string | null {
  return 'classroomId' in e.payload ? e.payload.classroomId : null;
}

/**
 * Intervals [from, to) in which each classroom was on stage, from events in time order on any
 * one clock (`atMs`) up to `endMs`. A classroom put on stage while another is on takes its
 * place; intervals start no earlier than 0 (the lesson clock's zero).
 */
export function stageIntervals(events: readonly ({ atMs: number } & LessonEventData)[], endMs: number): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  let on: { id: string; from: number } | null = null;
  const close = (at: number) => {
    if (!on) return;
    const list = out.get(on.id) ?? [];
    if (at > on.from) list.push([Math.max(0, on.from), at]);
    out.set(on.id, list);
    on = null;
  };
  for (const e of events) {
    if (e.type === 'stage:on' || e.type === 'stage:off') close(e.atMs);
    if (e.type === 'stage:on') on = { id: e.payload.classroomId, from: e.atMs };
  }
  close(endMs);
  return out;
}

/**
 * Intervals [from, to) in which each classroom was connected, from presence events in time order
 * up to `endMs`: a peer's join opens its interval and its leave closes it (still open at `endMs`:
 * closed there). Several peers of one classroom (a reconnect overlapping its old connection) merge.
 */
export function presenceIntervals(events: readonly ({ atMs: number } & LessonEventData)[], endMs: number): Map<string, [number, number][]> {
  const open = new Map<string, { classroomId: string; from: number }>();
  const spans = new Map<string, [number, number][]>();
  const close = (peerId: string, at: number) => {
    const o = open.get(peerId);
    if (!o) return;
    open.delete(peerId);
    if (at > o.from) spans.set(o.classroomId, [...(spans.get(o.classroomId) ?? []), [o.from, at]]);
  };
  for (const e of events) {
    if (e.type === 'presence:join' && !open.has(e.payload.peerId)) open.set(e.payload.peerId, { classroomId: e.payload.classroomId, from: e.atMs });
    if (e.type === 'presence:leave') close(e.payload.peerId, Math.min(e.atMs, endMs));
  }
  for (const peerId of [...open.keys()]) close(peerId, endMs);
  return new Map([...spans].map(([classroomId, list]) => [classroomId, unionOf(list) as [number, number][]]));
}
