// HTTP API contract: request bodies (validated with zod at the edge) and responses.
// Every error response is `{ error: ApiError }` with the matching HTTP status.
import { z } from 'zod';
import type { Classroom, Lesson, Pairing, PublicUser, School } from './domain.js';

export const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export const deviceLoginBody = z.object({
  code: z.string().trim().toUpperCase().regex(/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/, 'device code looks like ABCD-2345'),
});
export const createLessonBody = z.object({
  title: z.string().trim().min(1).max(120),
  subject: z.string().trim().min(1).max(40),
  grade: z.number().int().min(1).max(12),
  hostClassroomId: z.string().min(1).max(64),
  receivingClassroomIds: z.array(z.string().min(1).max(64)).min(1).max(8),
  scheduledAt: z.string().datetime({ offset: true }),
  durationMin: z.number().int().min(5).max(240).default(40),
});

export type LoginBody = z.infer<typeof loginBody>;
export type DeviceLoginBody = z.infer<typeof deviceLoginBody>;
export type CreateLessonBody = z.input<typeof createLessonBody>;

/**
 * Routes (all JSON; cookie `tongbu_session` carries the session):
 *   POST /api/auth/login          LoginBody        → { user: PublicUser }   (429 when rate limited)
 *   POST /api/auth/device         DeviceLoginBody  → { user: PublicUser }   (a classroom device; stays signed in)
 *   POST /api/auth/logout                          → { ok: true }
 *   GET  /api/me                                   → { user: PublicUser }
 *   GET  /api/community                            → CommunityView
 *   GET  /api/lessons?from&to                      → { lessons: Lesson[] }  (only what the user may see)
 *   GET  /api/lessons/:id                          → { lesson: Lesson }
 *   POST /api/lessons             CreateLessonBody → { lesson: Lesson }     (teacher; host classroom in own school)
 *   POST /api/classrooms/:id/device-code           → { code: string, expiresAt: string } (school admin of that school)
 *   大课表 (bodies and shapes in server/timetable/schema.ts):
 *   GET  /api/timetable/schools/:id                → { timetable }         (community members; not devices)
 *   POST /api/timetable/schools/:id/{bells|classes|calendar|terms}  → { timetable } (that school's admin; replaces)
 *   POST /api/timetable/schools/:id/import?kind=bells|classes|calendar  body: CSV or .xlsx bytes
 *                                                  → { result, timetable } | 400 { error, rowErrors }
 *   GET  /api/timetable/pairings/:id/week?allowanceMin → { pairing, city, rural, slots }
 *   POST /api/timetable/pairings/:id/plan      PlanBody → { plan }     (preview: dates, skips, clashes)
 *   POST /api/timetable/pairings/:id/schedule  PlanBody → { seriesId, plan, lessonIds } (city teacher / city admin)
 *   GET  /api/timetable/feeds/:kind/:id            → { exists, createdAt };  POST /api/timetable/feeds { kind, id } → { url }
 *   GET  /api/timetable/feed/:token.ics            → text/calendar (no cookie; the token is the secret)
 *   GET  /healthz                                  → { ok: true, ... }
 *   GET  /metrics                                  → Prometheus text
 */
export interface CommunityView {
  community: { id: string; name: string; coreSchoolId: string | null };
  schools: School[];
  pairings: Pairing[];
  classrooms: Classroom[];
  teachers: Pick<PublicUser, 'id' | 'displayName' | 'schoolId'>[];
}

export interface UserResponse {
  user: PublicUser;
}
export interface LessonsResponse {
  lessons: Lesson[];
}
export interface LessonResponse {
  lesson: Lesson;
}
export interface DeviceCodeResponse {
  code: string;
  expiresAt: string;
}
/** 教室设备 on the admin page: one row per classroom the caller administers. */
export interface ClassroomDevice {
  classroomId: string;
  classroomName: string;
  schoolId: string;
  schoolName: string;
  /** Signed-in device sessions (a classroom normally has one PC). */
  sessions: number;
  /** Last use of any of them (to the hour: renewal is written at most hourly), or null. */
  lastUsedAt: string | null;
  /** When the longest-lived one ends unless used again. */
  expiresAt: string | null;
  /** Device codes issued and not yet redeemed. */
  pendingCodes: number;
}
export interface ClassroomDevicesResponse {
  devices: ClassroomDevice[];
}
export interface RevokeDeviceResponse {
  /** Sessions ended, unredeemed codes voided, live sockets disconnected. */
  sessions: number;
  codes: number;
  sockets: number;
}
