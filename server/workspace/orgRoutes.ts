// The 教共体's structure: what the user reaches, community type and scope, pairing rounds and leaders.
// Every route authorises (server/workspace/reach.ts) before it reads a body.
import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { communityOrgBody, pairingLeaderBody, pairingRoundBody, type OrgResponse } from '../contract/workspace/org.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertCanManageCommunity, assertCanReadPairing, communityIdsOf, reachOf } from './reach.js';
import { addPairingRound, getBureau, listOrgCommunities, removePairingLeader, setCommunityOrg, setPairingLeader } from './orgRepo.js';

const idParam = z.object({ id: z.string().min(1).max(64) }).strict();
const leaderParam = z.object({ id: z.string().min(1).max(64), userId: z.string().min(1).max(64) }).strict();

export function orgRouter({ db }: { db: Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/workspace/org', auth, async (_req, res) => {
    const reach = await reachOf(db, currentUser(res));
    let communities = await listOrgCommunities(db, communityIdsOf(reach));
    if (reach.kind === 'school') {
      // A school's staff see their own school's pairings only.
      communities = communities.map((c) => ({
        ...c,
        pairings: c.pairings.filter((p) => p.citySchool.id === reach.schoolId || p.ruralSchool.id === reach.schoolId),
      }));
    }
    const body: OrgResponse = { bureau: reach.kind === 'bureau' ? await getBureau(db, reach.bureauId) : null, communities };
    res.json(body);
  });

  router.patch('/api/workspace/communities/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertCanManageCommunity(db, currentUser(res), id);
    await setCommunityOrg(db, id, parse(communityOrgBody, req.body));
    res.json({ communities: await listOrgCommunities(db, [id]) });
  });

  router.post('/api/workspace/pairings/:id/rounds', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    await assertCanManageCommunity(db, currentUser(res), pairing.communityId);
    res.status(201).json({ round: await addPairingRound(db, pairing.id, parse(pairingRoundBody, req.body)) });
  });

  router.put('/api/workspace/pairings/:id/leaders/:userId', auth, async (req, res) => {
    const { id, userId } = parse(leaderParam, req.params);
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    await assertCanManageCommunity(db, currentUser(res), pairing.communityId);
    const { duty } = parse(pairingLeaderBody, req.body);
    await setPairingLeader(db, pairing, userId, duty);
    res.json({ ok: true });
  });

  router.delete('/api/workspace/pairings/:id/leaders/:userId', auth, async (req, res) => {
    const { id, userId } = parse(leaderParam, req.params);
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    await assertCanManageCommunity(db, currentUser(res), pairing.communityId);
    await removePairingLeader(db, pairing.id, userId);
    res.json({ ok: true });
  });

  return router;
}
