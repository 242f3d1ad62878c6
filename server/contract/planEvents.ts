// Socket.IO contract of 集体备课 (the /plans.io server): Yjs sync, awareness, plan chat.
// Same rules as events.ts: `entity:verb`, one payload validated by the schema of that name,
// an ack answered with Ack<Result>. Yjs updates travel as binary (Uint8Array / Buffer).
import { z } from 'zod';
import type { Ack } from './errors.js';

export const PLAN_LIMITS = {
  /** One Yjs update from a client; larger ones are refused with TOO_LARGE (the doc is untouched). */
  updateBytesMax: 256 * 1024,
  /** One awareness (cursor/name) update. */
  awarenessBytesMax: 8 * 1024,
  /** A state vector (one entry per client that ever edited). */
  stateVectorBytesMax: 64 * 1024,
  /** The whole stored document; edits past this are refused. */
  docBytesMax: 8 * 1024 * 1024,
  /** Socket.IO frame limit of /plans.io: an update just over updateBytesMax still gets a clean error. */
  frameBytesMax: 1024 * 1024,
  chatTextMax: 500,
  commentTextMax: 2000,
  titleMax: 120,
  versionNameMax: 60,
  /** Import of a .docx over HTTP. */
  docxBytesMax: 10 * 1024 * 1024,
} as const;

const id = z.string().min(1).max(64);
const bytes = (max: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected binary data').refine((v) => v.byteLength <= max, {
    message: `larger than ${max} bytes`,
  });

export const planClientSchemas = {
  /** Open a plan: the client's state vector in, the server's missing part and state vector out. */
  'plan:join': z.object({ planId: id, stateVector: bytes(PLAN_LIMITS.stateVectorBytesMax).optional() }),
  'plan:leave': z.object({ planId: id }),
  /** Size is checked by the handler, so an oversized update is TOO_LARGE rather than BAD_REQUEST. */
  'plan:update': z.object({ planId: id, update: bytes(PLAN_LIMITS.frameBytesMax) }),
  'plan:awareness': z.object({ planId: id, update: bytes(PLAN_LIMITS.awarenessBytesMax) }),
  'plan:chat': z.object({ planId: id, text: z.string().trim().min(1).max(PLAN_LIMITS.chatTextMax) }),
} as const;

export type PlanClientEventName = keyof typeof planClientSchemas;
export type PlanClientPayload<E extends PlanClientEventName> = z.infer<(typeof planClientSchemas)[E]>;

export type PlanAccess = 'edit' | 'comment';

export interface PlanPhase {
  title: string;
  /** Planned minutes; null when the heading names none. */
  minutes: number | null;
}

export interface PlanSummary {
  id: string;
  communityId: string;
  lessonId: string | null;
  pairingId: string | null;
  title: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  phases: PlanPhase[];
}

export interface PlanVersion {
  id: string;
  planId: string;
  name: string;
  createdBy: string;
  createdByName: string;
  createdAt: string;
}

export interface PlanCommentAnchor {
  /** Yjs relative positions (base64 of Y.encodeRelativePosition) of the passage's ends. */
  start: string;
  end: string;
  /** The passage's text when the comment was made, shown if it has since been deleted. */
  quote: string;
}

export interface PlanComment {
  id: string;
  planId: string;
  parentId: string | null;
  userId: string;
  displayName: string;
  text: string;
  anchor: PlanCommentAnchor | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  createdAt: string;
}

export interface PlanChatMessage {
  id: string;
  planId: string;
  userId: string;
  displayName: string;
  text: string;
  sentAt: string;
}

/**
 * Answer to plan:update. stored=false: the update depends on something the server lacks, and
 * nothing was stored; the client sends Y.encodeStateAsUpdate(doc, stateVector) (which holds
 * the update and what it depends on). Either way `stateVector` is the server's after the
 * update, so the client can tell whether the server has every update it made.
 */
export type PlanUpdateResult = { stored: boolean; stateVector: Uint8Array };

/** Something the plan's editors are told in the editor (e.g. history repaired on open). */
export type PlanNotice = { kind: 'skipped-updates'; count: number };

export interface PlanJoinResult {
  plan: PlanSummary;
  access: PlanAccess;
  /** What the client lacks (Y.encodeStateAsUpdate(serverDoc, clientStateVector)). */
  update: Uint8Array;
  /** The server's state vector: the client answers with plan:update of what the server lacks. */
  stateVector: Uint8Array;
  /** Current awareness states known to this server (cursors of other editors). */
  awareness: Uint8Array | null;
  chat: PlanChatMessage[];
  /** Set while the open plan has something its editors should know (skipped stored updates). */
  notice: PlanNotice | null;
}

export interface PlanClientResults {
  'plan:join': PlanJoinResult;
  'plan:leave': null;
  'plan:update': PlanUpdateResult;
  'plan:awareness': null;
  'plan:chat': PlanChatMessage;
}

export type PlanClientToServerEvents = {
  [E in PlanClientEventName]: (payload: PlanClientPayload<E>, ack: (res: Ack<PlanClientResults[E]>) => void) => void;
};

export interface PlanServerToClientEvents {
  'plan:update': (m: { planId: string; update: Uint8Array }) => void;
  'plan:awareness': (m: { planId: string; update: Uint8Array }) => void;
  'plan:chat': (m: PlanChatMessage) => void;
  /** Comments or versions changed: refetch over HTTP. */
  'plan:changed': (m: { planId: string; what: 'comments' | 'versions' | 'phases' }) => void;
  'plan:notice': (m: { planId: string; notice: PlanNotice }) => void;
}

/** Colours of editors' cursors; the server lets no other through (an editor's is planCursorColour of its id). */
export const PLAN_CURSOR_COLOURS = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#e03131', '#5f3dc4'] as const;

export function planCursorColour(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PLAN_CURSOR_COLOURS[h % PLAN_CURSOR_COLOURS.length];
}

/** Path of the plans Socket.IO server (its own frame limit and Redis adapter). */
export const PLAN_SOCKET_PATH = '/plans.io';
