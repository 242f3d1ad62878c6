// Offline 教共体 activities with their evidence, the bureau's check (核验) and the audit log, as
// the workspace API returns them, and the bodies that change them (issue 12, items 4 and 5).
//
// An activity is logged by a school (its admin or teachers, or the community admin) as a draft,
// evidence files are added, then it is submitted; the bureau's reviewers accept it or return it
// with a comment, and a returned one can be edited and submitted again:
//
//   draft ──submit──▶ submitted ──accept──▶ accepted
//     ▲                   │
//     └─(edit)─ returned ◀┘ return (comment required)  ── submit again ──▶ submitted
import { z } from 'zod';
import type { ActivityKind } from './targets.js';

/** The kinds logged by hand: what happens away from the platform (online kinds are read from the records). */
export const OFFLINE_ACTIVITY_KINDS = [
  'send_teaching', // 送教下乡
  'offline_research', // 线下教研
  'teacher_visit', // 教师互访
  'student_exchange', // 学生互访 / 手拉手
  'mentoring', // 师徒结对 (an on-site session)
] as const satisfies readonly ActivityKind[];
export type OfflineActivityKind = (typeof OFFLINE_ACTIVITY_KINDS)[number];

export const ACTIVITY_STATUSES = ['draft', 'submitted', 'accepted', 'returned'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** The school may change (edit, add or remove evidence, delete) an activity in these states only. */
export const EDITABLE_STATUSES: readonly ActivityStatus[] = ['draft', 'returned'];

/**
 * What an evidence file really is, decided from its bytes (never its name or the browser's
 * Content-Type), and the only Content-Type it is ever served with.
 */
export const EVIDENCE_TYPES = {
  jpeg: { mime: 'image/jpeg', ext: 'jpg', image: true },
  png: { mime: 'image/png', ext: 'png', image: true },
  webp: { mime: 'image/webp', ext: 'webp', image: true },
  pdf: { mime: 'application/pdf', ext: 'pdf', image: false },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx', image: false },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx', image: false },
} as const;
export type EvidenceType = keyof typeof EVIDENCE_TYPES;
export const EVIDENCE_TYPE_NAMES = Object.keys(EVIDENCE_TYPES) as EvidenceType[];

export interface EvidenceFile {
  id: string;
  activityId: string;
  /** As uploaded, for display and the download name only; the file on disk is named by its id. */
  originalName: string;
  type: EvidenceType;
  sizeBytes: number;
  sha256: string;
  hasThumbnail: boolean;
  uploadedBy: string;
  createdAt: string;
}

export interface WorkspaceActivity {
  id: string;
  communityId: string;
  schoolId: string;
  schoolName: string;
  pairingId: string | null;
  kind: OfflineActivityKind;
  /** Shanghai calendar day it took place. */
  day: string;
  place: string;
  /** Who took part, as written (names; a visiting class: "四年级(1)班 32 人"). */
  people: string[];
  description: string;
  subject: string | null;
  /** The platform's teachers who took part: what breadth conditions ("≥ 3 teachers") count. */
  teacherIds: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  status: ActivityStatus;
  submittedAt: string | null;
  /** The reviewer's last comment (required when returned). */
  reviewComment: string | null;
  reviewedBy: string | null;
  reviewedByName: string | null;
  reviewedAt: string | null;
  evidence: EvidenceFile[];
}

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const id = z.string().min(1).max(64);

const activityFields = {
  kind: z.enum(OFFLINE_ACTIVITY_KINDS),
  day,
  place: z.string().trim().min(1).max(200),
  people: z.array(z.string().trim().min(1).max(100)).max(200).default([]),
  description: z.string().trim().max(5000).default(''),
  subject: z.string().trim().min(1).max(50).nullable().default(null),
  teacherIds: z.array(id).max(100).default([]),
  pairingId: id.nullable().default(null),
};

/** POST /api/workspace/schools/:schoolId/activities (the school is in the path: authorised before the body is read). */
export const createActivityBody = z.object(activityFields).strict();
export type CreateActivityBody = z.infer<typeof createActivityBody>;

/** An edit replaces the fields it names; the school of an activity never changes. */
export const updateActivityBody = z
  .object({
    kind: activityFields.kind.optional(),
    day: day.optional(),
    place: activityFields.place.optional(),
    people: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
    description: z.string().trim().max(5000).optional(),
    subject: z.string().trim().min(1).max(50).nullable().optional(),
    teacherIds: z.array(id).max(100).optional(),
    pairingId: id.nullable().optional(),
  })
  .strict();
export type UpdateActivityBody = z.infer<typeof updateActivityBody>;

export const reviewBody = z
  .object({
    decision: z.enum(['accept', 'return']),
    comment: z.string().trim().max(2000).default(''),
  })
  .strict()
  .refine((b) => b.decision === 'accept' || b.comment.length > 0, { message: 'a returned activity needs a comment saying what to fix', path: ['comment'] });
export type ReviewBody = z.infer<typeof reviewBody>;

/** GET /api/workspace/activities: one of a pairing, a community or a school (none: everything the user reaches). */
export const listActivitiesQuery = z
  .object({
    pairingId: id.optional(),
    communityId: id.optional(),
    schoolId: id.optional(),
    status: z.enum(ACTIVITY_STATUSES).optional(),
    from: day.optional(),
    to: day.optional(),
  })
  .strict();
export type ListActivitiesQuery = z.infer<typeof listActivitiesQuery>;

export const uploadEvidenceQuery = z
  .object({
    // The name is kept for display only; it never becomes a path.
    name: z.string().trim().min(1).max(200),
  })
  .strict();

export const AUDIT_ACTIONS = ['create', 'update', 'submit', 'accept', 'return', 'delete', 'evidence_add', 'evidence_remove', 'setting'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorName: string;
  action: AuditAction;
  entity: 'activity' | 'evidence' | 'bureau_setting';
  entityId: string;
  communityId: string | null;
  before: unknown;
  after: unknown;
}

export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Entries older than this entry id (paging backwards). */
    before: z.string().min(1).max(64).optional(),
    entityId: id.optional(),
  })
  .strict();

/** What a notification says is a message key with its parameters; the client words it in its language. */
export const NOTIFICATION_KEYS = ['activity.returned', 'activity.accepted'] as const;
export type NotificationKey = (typeof NOTIFICATION_KEYS)[number];

export interface WorkspaceNotification {
  id: string;
  key: NotificationKey;
  params: { activityId: string; kind: OfflineActivityKind; day: string; place: string; comment?: string; reviewer?: string };
  schoolId: string | null;
  createdAt: string;
  readAt: string | null;
}

export const markReadBody = z.object({ ids: z.array(id).min(1).max(200) }).strict();

/** Per bureau and target year: whether only accepted (核验通过) activities count toward 考核. */
export interface BureauSetting {
  bureauId: string;
  year: number;
  acceptedOnly: boolean;
}

export const bureauSettingBody = z.object({ acceptedOnly: z.boolean() }).strict();
export const bureauYearParam = z.object({ id, year: z.coerce.number().int().min(2000).max(2100) }).strict();
