// /api/workspace … targets, templates and progress (issue 12). Each route authorises
// (server/workspace/reach.ts) before it reads the query or the body.
import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { schoolDayOf } from '../contract/time.js';
import { copyBody, planBody, yearQuery } from '../contract/workspace/plan.js';
import {
  bureauProgressQuery,
  communityProgressQuery,
  pairingProgressQuery,
  type BureauProgressResponse,
  type CommunityProgressResponse,
  type PairingProgressResponse,
} from '../contract/workspace/progress.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertBureauReviewer, assertCanManageCommunity, assertCanReadCommunity, assertCanReadPairing, type Reach } from './reach.js';
import { copyLastYear, getTemplate, planOf, putScopeTargets, putTemplate, startFromTemplate } from './targetsRepo.js';
import { communitiesOfBureau, communityRef, contributionOf, pairingRefs, progressOf, rollupOf } from './progressRepo.js';
import { getBureau } from './orgRepo.js';
import type { ActivitySource } from './activitySources.js';

const idParam = z.object({ id: z.string().min(1).max(64) }).strict();
const thisYear = () => Number(schoolDayOf(new Date()).day.slice(0, 4));
/** A reviewer has no contribution of their own; everyone else's is what they taught or led. */
const mineFor = (user: PublicUser, reach: Reach) => (reach.kind === 'bureau' ? null : user.id);

export function targetsRouter({ db, sources }: { db: Queryable; sources?: readonly ActivitySource[] }): Router {
  const router = Router();
  const auth = requireUser(db);

  // — a community's plan —
  router.get('/api/workspace/communities/:id/targets', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertCanReadCommunity(db, currentUser(res), id);
    const { year } = parse(yearQuery, req.query);
    res.json(await planOf(db, { communityId: id, pairingId: null }, year));
  });

  router.put('/api/workspace/communities/:id/targets', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertCanManageCommunity(db, currentUser(res), id);
    const { year } = parse(yearQuery, req.query);
    await putScopeTargets(db, { communityId: id, pairingId: null }, year, parse(planBody, req.body).targets, currentUser(res).id);
    res.json(await planOf(db, { communityId: id, pairingId: null }, year));
  });

  router.post('/api/workspace/communities/:id/targets/copy-last-year', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertCanManageCommunity(db, currentUser(res), id);
    const { year } = parse(copyBody, req.body);
    await copyLastYear(db, { communityId: id, pairingId: null }, year, currentUser(res).id);
    res.status(201).json(await planOf(db, { communityId: id, pairingId: null }, year));
  });

  router.post('/api/workspace/communities/:id/targets/from-template', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertCanManageCommunity(db, currentUser(res), id);
    const { year } = parse(copyBody, req.body);
    await startFromTemplate(db, id, year, currentUser(res).id);
    res.status(201).json(await planOf(db, { communityId: id, pairingId: null }, year));
  });

  // — a pairing's own targets (in force instead of the community's) —
  router.get('/api/workspace/pairings/:id/targets', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    const { year } = parse(yearQuery, req.query);
    res.json(await planOf(db, { communityId: pairing.communityId, pairingId: pairing.id }, year));
  });

  router.put('/api/workspace/pairings/:id/targets', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    await assertCanManageCommunity(db, currentUser(res), pairing.communityId);
    const { year } = parse(yearQuery, req.query);
    const scope = { communityId: pairing.communityId, pairingId: pairing.id };
    await putScopeTargets(db, scope, year, parse(planBody, req.body).targets, currentUser(res).id);
    res.json(await planOf(db, scope, year));
  });

  router.post('/api/workspace/pairings/:id/targets/copy-last-year', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    await assertCanManageCommunity(db, currentUser(res), pairing.communityId);
    const { year } = parse(copyBody, req.body);
    const scope = { communityId: pairing.communityId, pairingId: pairing.id };
    await copyLastYear(db, scope, year, currentUser(res).id);
    res.status(201).json(await planOf(db, scope, year));
  });

  // — the bureau's template —
  router.get('/api/workspace/bureaus/:id/template', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertBureauReviewer(db, currentUser(res), id);
    const { year } = parse(yearQuery, req.query);
    res.json(await getTemplate(db, id, year));
  });

  router.put('/api/workspace/bureaus/:id/template', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertBureauReviewer(db, currentUser(res), id);
    const { year } = parse(yearQuery, req.query);
    res.json(await putTemplate(db, id, year, parse(planBody, req.body).targets, currentUser(res).id));
  });

  // — progress —
  router.get('/api/workspace/pairings/:id/progress', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const { reach, pairing } = await assertCanReadPairing(db, user, id);
    const q = parse(pairingProgressQuery, req.query);
    const refs = await pairingRefs(db, { pairingIds: [pairing.id] });
    const run = await progressOf(db, refs, { year: q.year ?? thisYear(), asOf: q.asOf, subject: q.subject, sources, detail: true });
    const { activities, ...progress } = run.pairings[0];
    const mine = mineFor(user, reach);
    const body: PairingProgressResponse = { ...progress, activities, subjects: run.subjects, mine: mine ? contributionOf(mine, activities) : null };
    res.json(body);
  });

  router.get('/api/workspace/communities/:id/progress', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const reach = await assertCanReadCommunity(db, user, id);
    const q = parse(communityProgressQuery, req.query);
    const community = await communityRef(db, id);
    if (!community) throw new AppError('NOT_FOUND', 'community not found');
    let refs = await pairingRefs(db, { communityIds: [id] });
    if (q.schoolId) refs = refs.filter((p) => p.citySchool.id === q.schoolId || p.ruralSchool.id === q.schoolId);
    const mine = mineFor(user, reach);
    const run = await progressOf(db, refs, { year: q.year ?? thisYear(), asOf: q.asOf, subject: q.subject, sources, detail: false, contributorId: mine });
    const pairings = run.pairings.map(({ activities: _activities, ...p }) => p);
    const body: CommunityProgressResponse = {
      community: { id: community.id, name: community.name },
      year: run.year,
      asOf: run.asOf,
      pairings,
      rollup: rollupOf(pairings),
      subjects: run.subjects,
      schools: community.schools,
      // Grouped counts: the teacher's share per kind (their pairing's page lists the activities).
      mine: mine ? { userId: mine, byKind: run.contribution, activities: [] } : null,
    };
    res.json(body);
  });

  router.get('/api/workspace/bureaus/:id/progress', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertBureauReviewer(db, currentUser(res), id);
    const q = parse(bureauProgressQuery, req.query);
    const bureau = await getBureau(db, id);
    if (!bureau) throw new AppError('NOT_FOUND', 'bureau not found');
    const communities = await communitiesOfBureau(db, id);
    const refs = await pairingRefs(db, { communityIds: communities.map((c) => c.id) });
    const run = await progressOf(db, refs, { year: q.year ?? thisYear(), asOf: q.asOf, sources, detail: false });
    const pairings = run.pairings.map(({ activities: _activities, ...p }) => p);
    const body: BureauProgressResponse = {
      bureau: { id: bureau.id, name: bureau.name },
      year: run.year,
      asOf: run.asOf,
      communities: communities.map((c) => {
        const mine = pairings.filter((p) => p.pairing.communityId === c.id);
        return {
          ...c,
          pairings: mine.length,
          rollup: rollupOf(mine),
          overduePairings: mine.filter((p) => p.targets.some((t) => t.evaluation.milestones.some((m) => m.overdue))).length,
          completePairings: mine.filter((p) => p.targets.length > 0 && p.targets.every((t) => t.evaluation.complete)).length,
        };
      }),
    };
    res.json(body);
  });

  return router;
}
