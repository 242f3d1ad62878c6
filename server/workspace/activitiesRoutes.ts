// Offline activities and their evidence over HTTP (issue 12). Every route authorises
// (activityAccess.ts, reach.ts) on its params before it reads a body; an upload is authorised,
// then streamed to disk with a hard limit, then checked (evidenceStore.ts). Every change writes
// its audit row in its own transaction. The 核验 routes are in reviewRoutes.ts.
//
// Mounted on the app before the API router (it needs the data folder): it parses its own JSON.
import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { LIMITS } from '../contract/limits.js';
import { EVIDENCE_TYPES, createActivityBody, listActivitiesQuery, updateActivityBody, uploadEvidenceQuery } from '../contract/workspace/activities.js';
import { resolveIn } from '../contract/recordingPaths.js';
import { getSchool } from '../community/repo.js';
import { inTx } from '../community/sql.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertCanEditSchoolWork, assertCanReadCommunity, assertCanReadPairing, communityIdsOf, reachOf } from './reach.js';
import { assertCanChangeActivity, assertCanReadActivity, assertEditable } from './activityAccess.js';
import { appendAudit } from './auditRepo.js';
import {
  activitySnapshot,
  deleteActivity,
  deleteEvidence,
  getActivity,
  getEvidence,
  insertActivity,
  insertEvidence,
  listActivities,
  markSubmitted,
  publicEvidence,
  schoolPeople,
  touchActivity,
  updateActivity,
  type ActivityFilter,
} from './offlineActivitiesRepo.js';
import { ensureActivityDir, evidencePaths, fileExists, freeBytes, receiveBody, removeActivityFiles, removeFiles, settleUpload, sweepStaleParts } from './evidenceStore.js';
import { reviewRouter } from './reviewRoutes.js';
import { logger } from '../contract/log.js';

const log = logger('workspace.evidence');

const idParam = z.object({ id: z.string().min(1).max(64) }).strict();
const schoolParam = z.object({ schoolId: z.string().min(1).max(64) }).strict();

export interface ActivitiesRouterOptions {
  db: Db | Queryable;
  dataDir: string;
  /** One evidence file's limit (tests set a small one); default LIMITS.evidenceBytesMax. */
  evidenceBytesMax?: number;
  /** Uploads are refused while the data folder has less free space than this (default 500 MB): recordings need it more. */
  minFreeBytes?: number;
}

export function offlineActivitiesRouter(opts: ActivitiesRouterOptions): Router {
  const { db, dataDir } = opts;
  const maxBytes = opts.evidenceBytesMax ?? LIMITS.evidenceBytesMax;
  const minFreeBytes = opts.minFreeBytes ?? 500 * 1024 * 1024;
  // Parts left by a process that died mid-upload.
  sweepStaleParts(dataDir).then(
    (n) => {
      if (n > 0) log.info('removed unfinished evidence uploads', { n });
    },
    (err: unknown) => log.warn('could not sweep unfinished evidence uploads', { err }),
  );
  const router = Router();
  const auth = requireUser(db);
  const json = express.json({ limit: '64kb' });
  router.use('/api/workspace', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const audit = (q: Queryable, user: PublicUser, action: Parameters<typeof appendAudit>[1]['action'], entityId: string, communityId: string, before: unknown, after: unknown, entity: 'activity' | 'evidence' = 'activity') =>
    appendAudit(q, { actor: user, action, entity, entityId, communityId, before, after });

  /** Inside a transaction: the activity again, locked, still changeable. */
  const lockEditable = async (q: Queryable, id: string) => {
    const a = await getActivity(q, id, { forUpdate: true });
    if (!a) throw new AppError('NOT_FOUND', 'activity not found');
    assertEditable(a);
    return a;
  };

  // ---- activities ----------------------------------------------------------------

  router.get('/api/workspace/activities', auth, async (req, res) => {
    const query = parse(listActivitiesQuery, req.query);
    const user = currentUser(res);
    const base = { status: query.status, from: query.from, to: query.to };
    let filter: ActivityFilter;
    if (query.pairingId) {
      const { reach, pairing } = await assertCanReadPairing(db, user, query.pairingId);
      filter = { ...base, communityIds: [pairing.communityId], pairingId: pairing.id, schoolId: reach.kind === 'school' ? reach.schoolId : undefined, excludeDrafts: reach.kind === 'bureau' };
    } else if (query.communityId) {
      const reach = await assertCanReadCommunity(db, user, query.communityId);
      filter = { ...base, communityIds: [query.communityId], excludeDrafts: reach.kind === 'bureau' };
    } else {
      const reach = await reachOf(db, user);
      filter = { ...base, communityIds: communityIdsOf(reach), schoolId: reach.kind === 'school' ? reach.schoolId : undefined, excludeDrafts: reach.kind === 'bureau' };
    }
    if (query.schoolId) {
      const school = await getSchool(db, query.schoolId);
      if (!school || !filter.communityIds.includes(school.communityId)) throw new AppError('NOT_FOUND', 'school not found');
      if (filter.schoolId && filter.schoolId !== school.id) throw new AppError('FORBIDDEN', 'a school sees its own activities only');
      filter.schoolId = school.id;
    }
    res.json({ activities: await listActivities(db, filter) });
  });

  router.get('/api/workspace/activities/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { activity } = await assertCanReadActivity(db, currentUser(res), id);
    res.json({ activity });
  });

  // The school is in the path so that it is authorised before the body is parsed.
  router.post('/api/workspace/schools/:schoolId/activities', auth, async (req, res, next) => {
    const { schoolId } = parse(schoolParam, req.params);
    res.locals.school = await assertCanEditSchoolWork(db, currentUser(res), schoolId);
    next();
  }, json, async (req, res) => {
    const user = currentUser(res);
    const school = res.locals.school as { id: string; communityId: string };
    const body = parse(createActivityBody, req.body);
    const activity = await inTx(db, async (q) => {
      const a = await insertActivity(q, { ...body, schoolId: school.id, communityId: school.communityId, createdBy: user.id });
      await audit(q, user, 'create', a.id, a.communityId, null, activitySnapshot(a));
      return a;
    });
    res.status(201).json({ activity });
  });

  // People who may be named as the activity's teachers: staff of the school and of its partner schools.
  router.get('/api/workspace/schools/:schoolId/people', auth, async (req, res) => {
    const { schoolId } = parse(schoolParam, req.params);
    const school = await assertCanEditSchoolWork(db, currentUser(res), schoolId);
    res.json({ people: await schoolPeople(db, school) });
  });

  router.post('/api/workspace/activities/:id', auth, async (req, res, next) => {
    const { id } = parse(idParam, req.params);
    await assertCanChangeActivity(db, currentUser(res), id);
    next();
  }, json, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const body = parse(updateActivityBody, req.body);
    const activity = await inTx(db, async (q) => {
      const before = await lockEditable(q, id);
      const after = await updateActivity(q, before, body);
      await audit(q, user, 'update', id, after.communityId, activitySnapshot(before), activitySnapshot(after));
      return after;
    });
    res.json({ activity });
  });

  router.post('/api/workspace/activities/:id/submit', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    await assertCanChangeActivity(db, user, id);
    const activity = await inTx(db, async (q) => {
      const before = await lockEditable(q, id);
      // The bureau checks an offline activity by its evidence: without any there is nothing to check.
      if (before.evidence.length === 0) throw new AppError('BAD_REQUEST', 'add at least one photo, sign-in sheet or document before submitting');
      const after = await markSubmitted(q, id);
      await audit(q, user, 'submit', id, after.communityId, activitySnapshot(before), activitySnapshot(after));
      return after;
    });
    res.json({ activity });
  });

  router.delete('/api/workspace/activities/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    await assertCanChangeActivity(db, user, id);
    await inTx(db, async (q) => {
      const before = await lockEditable(q, id);
      await deleteActivity(q, id);
      await audit(q, user, 'delete', id, before.communityId, activitySnapshot(before), null);
    });
    // After the commit: a crash in between leaves files without rows (harmless), never rows without files.
    await removeActivityFiles(dataDir, id);
    res.status(204).end();
  });

  // ---- evidence ------------------------------------------------------------------

  router.post('/api/workspace/activities/:id/evidence', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { name } = parse(uploadEvidenceQuery, req.query);
    const user = currentUser(res);
    // Authorised, and the activity still changeable, before a byte of the body is read.
    const activity = await assertCanChangeActivity(db, user, id);
    if (activity.evidence.length >= LIMITS.evidencePerActivityMax) {
      refuseBody(req);
      throw new AppError('CONFLICT', `an activity holds at most ${LIMITS.evidencePerActivityMax} files`);
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      refuseBody(req);
      throw new AppError('TOO_LARGE', `a file may be at most ${Math.round(maxBytes / (1024 * 1024))} MB`);
    }
    if ((await freeBytes(dataDir).catch(() => Infinity)) < minFreeBytes + maxBytes) {
      refuseBody(req);
      throw new AppError('UNAVAILABLE', "the server's storage is nearly full; ask the administrator");
    }
    const fileId = randomUUID();
    await ensureActivityDir(dataDir, id);
    const received = await receiveBody(req, resolveIn(dataDir, evidencePaths.part(id, fileId)), maxBytes);
    const stored = await settleUpload(dataDir, { activityId: id, fileId, received });
    try {
      const row = await inTx(db, async (q) => {
        const a = await lockEditable(q, id);
        if (a.evidence.length >= LIMITS.evidencePerActivityMax) throw new AppError('CONFLICT', `an activity holds at most ${LIMITS.evidencePerActivityMax} files`);
        const e = await insertEvidence(q, { id: fileId, activityId: id, ...stored, originalName: name, sizeBytes: received.sizeBytes, sha256: received.sha256, uploadedBy: user.id });
        await touchActivity(q, id);
        await audit(q, user, 'evidence_add', e.id, a.communityId, null, publicEvidence(e), 'evidence');
        return e;
      });
      res.status(201).json({ evidence: publicEvidence(row) });
    } catch (err) {
      await removeFiles(dataDir, [stored.path, stored.thumbPath]);
      throw err;
    }
  });

  router.delete('/api/workspace/evidence/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const e = await getEvidence(db, id);
    if (!e) throw new AppError('NOT_FOUND', 'file not found');
    await assertCanChangeActivity(db, user, e.activityId);
    await inTx(db, async (q) => {
      const a = await lockEditable(q, e.activityId);
      await deleteEvidence(q, id);
      await touchActivity(q, a.id);
      await audit(q, user, 'evidence_remove', id, a.communityId, publicEvidence(e), null, 'evidence');
    });
    await removeFiles(dataDir, [e.path, e.thumbPath]);
    res.status(204).end();
  });

  const sendEvidence = async (req: Request, res: Response, which: 'file' | 'thumb') => {
    const { id } = parse(idParam, req.params);
    const e = await getEvidence(db, id);
    if (!e) throw new AppError('NOT_FOUND', 'file not found');
    await assertCanReadActivity(db, currentUser(res), e.activityId);
    const rel = which === 'file' ? e.path : e.thumbPath;
    if (!rel) throw new AppError('NOT_FOUND', 'this file has no thumbnail');
    const abs = resolveIn(dataDir, rel);
    if (!(await fileExists(abs))) throw new AppError('NOT_FOUND', 'the file is missing from storage');
    const type = EVIDENCE_TYPES[e.type];
    const image = which === 'thumb' || type.image;
    // The checked type only; no sniffing; a sandbox even if a browser were to render it; only images inline.
    res.setHeader('Content-Type', which === 'thumb' ? 'image/jpeg' : type.mime);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'");
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', `${image ? 'inline' : 'attachment'}; ${dispositionName(e.originalName, which === 'thumb' ? 'jpg' : type.ext)}`);
    res.sendFile(abs, { dotfiles: 'deny', acceptRanges: false, headers: { 'Content-Type': which === 'thumb' ? 'image/jpeg' : type.mime } });
  };
  router.get('/api/workspace/evidence/:id/file', auth, (req, res) => sendEvidence(req, res, 'file'));
  router.get('/api/workspace/evidence/:id/thumb', auth, (req, res) => sendEvidence(req, res, 'thumb'));

  router.use(reviewRouter({ db }));
  return router;
}

/**
 * A refused upload's body is not read: it is dropped as it arrives (Node drains an unread body
 * once the answer is sent), and a sender that keeps going is disconnected after a while.
 */
export function refuseBody(req: Request): void {
  const cut = setTimeout(() => req.socket.destroy(), 15_000);
  cut.unref();
  req.once('end', () => clearTimeout(cut));
  req.once('close', () => clearTimeout(cut));
}

/** `filename=` (ASCII) and `filename*=` (UTF-8) for a download: the uploaded name's stem with the real type's extension. */
export function dispositionName(original: string, ext: string): string {
  const printable = [...original].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? '_' : ch)).join('');
  const stem = printable.replace(/\.[^.]*$/, '').replace(/[\\/:*?"<>|]/g, '_').slice(0, 100) || 'evidence';
  const name = `${stem}.${ext}`;
  const ascii = name.replace(/[^\u0020-\u007e]/g, '_').replace(/["\\]/g, '_');
  return `filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
