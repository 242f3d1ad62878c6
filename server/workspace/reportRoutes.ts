// The yearly 捆绑考核 reports and the usage statistics (issue 12). Every route authorises
// (server/workspace/reach.ts) before it reads its query: a pairing's report is for its two
// schools' staff, the community's people and the bureau's reviewers; a community's report and its
// usage for the community's admin and researchers and the bureau's reviewers; a bureau's usage for
// its reviewers. The .docx / .xlsx / PDF are rendered in the document pool (off the event loop);
// the evidence pack streams.
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { logger } from '../contract/log.js';
import { reportYearQuery, type ReportData } from '../contract/workspace/report.js';
import { usageQuery } from '../contract/workspace/usage.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { renderWorkspaceReport } from '../uploads/parsePool.js';
import { assertBureauReviewer, assertCanReadCommunity, assertCanReadPairing } from './reach.js';
import { bureauCommunityIds, usageReport } from './usageRepo.js';
import { buildReport } from './report/build.js';
import { evidencePack } from './report/evidencePack.js';
import { emptySources, type ReportSources } from './report/sources.js';
import { reportTitle } from './report/tables.js';

const log = logger('workspace.report');

const idParam = z.object({ id: z.string().min(1).max(64) }).strict();
const usageScope = z.object({ communityId: z.string().min(1).max(64).optional(), bureauId: z.string().min(1).max(64).optional() });
const fileParam = idParam.extend({ format: z.enum(['docx', 'xlsx', 'pdf', 'zip']) }).strict();

const TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
  zip: 'application/zip',
} as const;

async function sendReport(res: Response, data: ReportData, format: keyof typeof TYPES, sources: ReportSources): Promise<void> {
  const name = format === 'zip' ? `${reportTitle(data)} 佐证材料.zip` : `${reportTitle(data)}.${format}`;
  res.type(TYPES[format]).setHeader('Content-Disposition', `attachment; filename="report.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  if (format !== 'zip') {
    res.send(await renderWorkspaceReport(data, format));
    return;
  }
  const { stream } = evidencePack(data, sources);
  stream.on('error', (err: Error) => {
    // Headers are gone: the download breaks off, and the log says why.
    log.error('evidence pack failed', { err });
    res.destroy(err);
  });
  stream.pipe(res);
}

export function reportRouter({ db, sources = emptySources }: { db: Queryable; sources?: ReportSources }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/workspace/usage', auth, async (req, res) => {
    // The scope first (it is what is authorised), the rest of the query only after.
    const scope = parse(usageScope, req.query);
    const user = currentUser(res);
    if (scope.bureauId) await assertBureauReviewer(db, user, scope.bureauId);
    else if (scope.communityId) await assertCanReadCommunity(db, user, scope.communityId);
    const q = parse(usageQuery, req.query);
    if (q.bureauId) {
      res.json(await usageReport(db, { communityIds: await bureauCommunityIds(db, q.bureauId), bureauId: q.bureauId }, q.year, q));
      return;
    }
    res.json(await usageReport(db, { communityIds: [q.communityId!], bureauId: null }, q.year, q));
  });

  const pairingData = async (res: Response, id: string, query: unknown) => {
    const { pairing } = await assertCanReadPairing(db, currentUser(res), id);
    const { year } = parse(reportYearQuery, query);
    return buildReport(db, sources, { communityId: pairing.communityId, pairingId: pairing.id, year });
  };
  const communityData = async (res: Response, id: string, query: unknown) => {
    await assertCanReadCommunity(db, currentUser(res), id);
    const { year } = parse(reportYearQuery, query);
    return buildReport(db, sources, { communityId: id, year });
  };

  router.get('/api/workspace/pairings/:id/report', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    res.json(await pairingData(res, id, req.query));
  });
  router.get('/api/workspace/pairings/:id/report.:format', auth, async (req, res) => {
    const { id, format } = parse(fileParam, req.params);
    await sendReport(res, await pairingData(res, id, req.query), format, sources);
  });
  router.get('/api/workspace/communities/:id/report', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    res.json(await communityData(res, id, req.query));
  });
  router.get('/api/workspace/communities/:id/report.:format', auth, async (req, res) => {
    const { id, format } = parse(fileParam, req.params);
    await sendReport(res, await communityData(res, id, req.query), format, sources);
  });

  return router;
}


