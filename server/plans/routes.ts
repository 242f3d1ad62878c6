// HTTP side of 集体备课: plans of a lesson or a pairing's library, versions and diffs,
// comments, .docx import and .docx / PDF export, phases for replay, chat history.
import express, { Router, type Response } from 'express';
import * as Y from 'yjs';
import type { Db } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { PLAN_LIMITS, type PlanSummary } from '../contract/planEvents.js';
import { communityIdOf } from '../auth/users.js';
import { getPairing } from '../community/repo.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { getLesson } from '../lessons/repo.js';
import { parseDocxUpload, renderPlanDiff, renderPlanDoc, renderPlanExport } from '../uploads/parsePool.js';
import type { PlanHub } from './hub.js';
import { extractPhases } from './phases.js';
import { planAccessFor, requirePlan } from './policy.js';
import type { PmNode } from './pmSchema.js';
import {
  getComment,
  getVersionData,
  insertComment,
  insertPlan,
  insertVersion,
  listComments,
  listPlanChat,
  listPlans,
  listVersions,
  planSchoolIds,
  setCommentResolved,
} from './repo.js';
import {
  commentParam,
  createCommentBody,
  createPlanBody,
  createVersionBody,
  diffQuery,
  importQuery,
  listPlansQuery,
  planIdParam,
  resolveCommentBody,
  versionParam,
} from './schema.js';
import { loadState, loadStored, writeSnapshot } from './store.js';
import { planTemplate } from './template.js';
import { replaceContent, stateFromJSON } from './ydoc.js';

export function plansRouter({ db, hub }: { db: Db; hub: PlanHub }): Router {
  const router = Router();
  const auth = requireUser(db);
  router.use('/api/plans', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const json = express.json({ limit: '64kb' });
  const docx = express.raw({ type: () => true, limit: PLAN_LIMITS.docxBytesMax });

  // The whole document as JSON: built from the stored history in the document pool (uploads/),
  // off the event loop — on a long plan that is a second or more of CPU.
  const currentDoc = async (planId: string): Promise<PmNode> => renderPlanDoc(await loadStored(db, planId), () => loadState(db, planId));

  /** Where a new plan goes: the user must be a teacher of the lesson's or pairing's schools. */
  const placeFor = async (user: PublicUser, where: { lessonId?: string; pairingId?: string }) => {
    const communityId = await communityIdOf(db, user.id);
    let planCommunity: string | null = null;
    if (where.lessonId) {
      const lesson = await getLesson(db, where.lessonId);
      if (!lesson || lesson.communityId !== communityId) throw new AppError('NOT_FOUND', 'lesson not found');
      planCommunity = lesson.communityId;
    }
    if (where.pairingId) {
      const pairing = await getPairing(db, where.pairingId);
      if (!pairing || pairing.communityId !== communityId) throw new AppError('NOT_FOUND', 'pairing not found');
      planCommunity = pairing.communityId;
    }
    const schools = await planSchoolIds(db, { lessonId: where.lessonId ?? null, pairingId: where.pairingId ?? null });
    if (user.role !== 'teacher' || !user.schoolId || !schools.includes(user.schoolId)) {
      throw new AppError('FORBIDDEN', 'only teachers of the paired schools can write plans for this');
    }
    return { communityId: planCommunity!, lessonId: where.lessonId ?? null, pairingId: where.pairingId ?? null };
  };

  type Place = Awaited<ReturnType<typeof placeFor>>;
  const newPlan = async (user: PublicUser, where: { lessonId?: string; pairingId?: string }, title: string, content: PmNode) =>
    insertPlanAt(await placeFor(user, where), user, title, content);
  const insertPlanAt = async (place: Place, user: PublicUser, title: string, content: PmNode) => {
    return db.tx(async (q) => {
      const plan = await insertPlan(q, { ...place, title, createdBy: user.id, phases: extractPhases(content) });
      await writeSnapshot(q, plan.id, stateFromJSON(content));
      return plan;
    });
  };

  router.get('/api/plans', auth, async (req, res) => {
    const q = parse(listPlansQuery, req.query);
    const user = currentUser(res);
    const communityId = await communityIdOf(db, user.id);
    if (!communityId) return res.json({ plans: [] });
    const all = await listPlans(db, { communityId, ...q });
    const visible: (PlanSummary & { access: string })[] = [];
    for (const p of all) {
      const access = await planAccessFor(db, user, p);
      if (access) visible.push({ ...p, access });
    }
    res.json({ plans: visible });
  });

  router.post('/api/plans', auth, json, async (req, res) => {
    const body = parse(createPlanBody, req.body);
    const plan = await newPlan(currentUser(res), body, body.title, planTemplate(body.title));
    res.status(201).json({ plan });
  });

  // Every upload is authorised BEFORE its body is read, let alone parsed: a projector device or a
  // teacher of another school gets FORBIDDEN without the server touching the file.
  router.post(
    '/api/plans/import',
    auth,
    async (req, res, next) => {
      res.locals.importPlace = await placeFor(currentUser(res), parse(importQuery, req.query));
      next();
    },
    docx,
    async (req, res) => {
      const q = parse(importQuery, req.query);
      const { doc, warnings } = await parseDocxUpload(bodyBuffer(req.body));
      const title = q.title ?? firstHeading(doc) ?? '导入的教案';
      const plan = await insertPlanAt(res.locals.importPlace as Place, currentUser(res), title.slice(0, PLAN_LIMITS.titleMax), doc);
      res.status(201).json({ plan, warnings });
    },
  );

  router.get('/api/plans/:id', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const { plan, access } = await requirePlan(db, currentUser(res), id, 'comment');
    res.json({ plan, access });
  });

  router.get('/api/plans/:id/content', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    await requirePlan(db, currentUser(res), id, 'comment');
    res.json({ doc: await currentDoc(id) });
  });

  /** 教学过程 as data (title + planned minutes), read from the current document. */
  router.get('/api/plans/:id/phases', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    await requirePlan(db, currentUser(res), id, 'comment');
    res.json({ phases: extractPhases(await currentDoc(id)) });
  });

  router.get('/api/plans/:id/chat', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    await requirePlan(db, currentUser(res), id, 'comment');
    res.json({ messages: await listPlanChat(db, id, 200) });
  });

  // ---- versions -----------------------------------------------------------------

  router.get('/api/plans/:id/versions', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    await requirePlan(db, currentUser(res), id, 'comment');
    res.json({ versions: await listVersions(db, id) });
  });

  router.post('/api/plans/:id/versions', auth, json, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const { name } = parse(createVersionBody, req.body);
    const user = currentUser(res);
    await requirePlan(db, user, id, 'edit');
    const version = await insertVersion(db, { planId: id, name, data: await loadState(db, id), userId: user.id });
    hub.broadcast.changed(id, 'versions');
    res.status(201).json({ version });
  });

  const versionDoc = async (planId: string, versionId: string) => {
    if (versionId === 'current') return { doc: await currentDoc(planId), version: null };
    const v = await getVersionData(db, planId, versionId);
    if (!v) throw new AppError('NOT_FOUND', 'version not found');
    // A version is a valid state by construction (loadState); should it not be, there is nothing to repair it from.
    const doc = await renderPlanDoc({ snapshot: v.data, updates: [] }, () => {
      throw new AppError('INTERNAL', 'this version could not be read');
    });
    return { doc, version: v.version };
  };

  router.get('/api/plans/:id/versions/:versionId', auth, async (req, res) => {
    const { id, versionId } = parse(versionParam, req.params);
    await requirePlan(db, currentUser(res), id, 'comment');
    res.json(await versionDoc(id, versionId));
  });

  router.get('/api/plans/:id/diff', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const { from, to } = parse(diffQuery, req.query);
    await requirePlan(db, currentUser(res), id, 'comment');
    const [a, b] = await Promise.all([versionDoc(id, from), versionDoc(id, to)]);
    res.json({ from: a.version, to: b.version, blocks: await renderPlanDiff(a.doc, b.doc) });
  });

  /** Restore = an ordinary update that makes the document equal the version: live editors converge. */
  router.post('/api/plans/:id/versions/:versionId/restore', auth, async (req, res) => {
    const { id, versionId } = parse(versionParam, req.params);
    const user = currentUser(res);
    await requirePlan(db, user, id, 'edit');
    const { doc, version } = await versionDoc(id, versionId);
    // What is replaced is kept as a version too: a restore can itself be undone.
    await insertVersion(db, { planId: id, name: `恢复「${version?.name ?? ''}」前`.slice(0, PLAN_LIMITS.versionNameMax), data: await loadState(db, id), userId: user.id });
    await applyContent(id, doc, user.id);
    hub.broadcast.changed(id, 'versions');
    res.json({ ok: true });
  });

  const applyContent = async (planId: string, content: PmNode, userId: string) => {
    const open = await hub.get(planId);
    // Computed on a copy; the live document changes only through the stored update.
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(open.doc));
    const update = replaceContent(scratch, content);
    scratch.destroy();
    await hub.applyServerUpdate(planId, update, userId);
  };

  // ---- import / export ----------------------------------------------------------

  const mayEdit = async (req: express.Request, res: Response, next: express.NextFunction) => {
    await requirePlan(db, currentUser(res), parse(planIdParam, req.params).id, 'edit');
    next();
  };

  router.post('/api/plans/:id/import', auth, mayEdit, docx, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const user = currentUser(res); // mayEdit has authorised it
    const { doc, warnings } = await parseDocxUpload(bodyBuffer(req.body));
    await insertVersion(db, { planId: id, name: '导入前', data: await loadState(db, id), userId: user.id });
    await applyContent(id, doc, user.id);
    hub.broadcast.changed(id, 'versions');
    res.json({ ok: true, warnings });
  });

  const download = (res: Response, plan: PlanSummary, ext: string, type: string, body: Buffer) => {
    const name = `${plan.title.replace(/[\\/:*?"<>|\r\n]+/g, '_')}.${ext}`;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Disposition', `attachment; filename="plan.${ext}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    res.send(body);
  };

  // The stored history goes to the document pool as read: building the document, converting it
  // and generating the file all happen off the event loop (a long plan takes seconds of CPU).
  const exportAs = async (planId: string, title: string, format: 'docx' | 'pdf') =>
    renderPlanExport(await loadStored(db, planId), title, format, () => loadState(db, planId));

  router.get('/api/plans/:id/export.docx', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const { plan } = await requirePlan(db, currentUser(res), id, 'comment');
    const body = await exportAs(id, plan.title, 'docx');
    download(res, plan, 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', body);
  });

  router.get('/api/plans/:id/export.pdf', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const { plan } = await requirePlan(db, currentUser(res), id, 'comment');
    download(res, plan, 'pdf', 'application/pdf', await exportAs(id, plan.title, 'pdf'));
  });

  // ---- comments ------------------------------------------------------------------

  router.get('/api/plans/:id/comments', auth, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    await requirePlan(db, currentUser(res), id, 'comment');
    res.json({ comments: await listComments(db, id) });
  });

  router.post('/api/plans/:id/comments', auth, json, async (req, res) => {
    const { id } = parse(planIdParam, req.params);
    const body = parse(createCommentBody, req.body);
    const user = currentUser(res);
    await requirePlan(db, user, id, 'comment');
    if (body.parentId) {
      const parent = await getComment(db, id, body.parentId);
      if (!parent) throw new AppError('NOT_FOUND', 'comment not found');
      if (parent.parentId) throw new AppError('BAD_REQUEST', 'reply to the comment, not to a reply');
    } else if (!body.anchor) {
      throw new AppError('BAD_REQUEST', 'a comment is anchored to a passage');
    }
    const comment = await insertComment(db, {
      planId: id,
      parentId: body.parentId ?? null,
      userId: user.id,
      text: body.text,
      anchor: body.parentId ? null : (body.anchor ?? null),
    });
    hub.broadcast.changed(id, 'comments');
    res.status(201).json({ comment });
  });

  router.post('/api/plans/:id/comments/:commentId/resolve', auth, json, async (req, res) => {
    const { id, commentId } = parse(commentParam, req.params);
    const { resolved } = parse(resolveCommentBody, req.body);
    const user = currentUser(res);
    await requirePlan(db, user, id, 'comment');
    const c = await getComment(db, id, commentId);
    if (!c || c.parentId) throw new AppError('NOT_FOUND', 'comment not found');
    await setCommentResolved(db, id, commentId, resolved ? user.id : null);
    hub.broadcast.changed(id, 'comments');
    res.json({ comment: await getComment(db, id, commentId) });
  });

  return router;
}

function bodyBuffer(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) throw new AppError('BAD_REQUEST', 'send the .docx file as the request body');
  return body;
}

function firstHeading(doc: PmNode): string | null {
  const h = doc.content?.find((n) => n.type === 'heading');
  const t = h?.content?.map((c) => c.text ?? '').join('').trim();
  return t || null;
}

