// 大课表 routes: school timetables (read, edit, import), a pairing's week view, term planning
// and scheduling, and iCalendar feeds.
import express, { Router, type Request } from 'express';
import type { Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { getUser } from '../auth/users.js';
import { getClassroom, getSchool } from '../community/repo.js';
import { buildFeed } from './feed.js';
import { parseRows } from './importRows.js';
import { assertCanEditSchool, assertCanManageFeed, assertCanReadSchool, getPairingFor } from './policy.js';
import {
  feedOwner,
  feedStatus,
  loadSchoolTimetable,
  regenerateFeedToken,
  replaceBells,
  replaceCalendar,
  replaceClasses,
  replaceTerms,
  schoolDirectory,
} from './repo.js';
import { previewTerm, scheduleTerm } from './schedule.js';
import {
  feedTokenBody,
  importQuery,
  pairingParam,
  planBody,
  saveBellsBody,
  saveCalendarBody,
  saveClassesBody,
  saveTermsBody,
  schoolParam,
  weekQuery,
  type ImportResult,
} from '../contract/timetable.js';
import { findSlots } from './slots.js';
import { parseTableUpload } from '../uploads/parsePool.js';
import { FileError } from './tableFile.js';

const MAX_UPLOAD = '4mb';
const MAX_ROW_ERRORS = 200;

const origin = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

export function timetableRouter({ db }: { db: Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/timetable/schools/:schoolId', auth, async (req, res) => {
    const { schoolId } = parse(schoolParam, req.params);
    await assertCanReadSchool(db, currentUser(res), schoolId);
    res.json({ timetable: await loadSchoolTimetable(db, schoolId) });
  });

  const save = <T>(path: string, schema: { parse(v: unknown): T } & Parameters<typeof parse>[0], apply: (schoolId: string, body: T) => Promise<unknown>) =>
    router.post(`/api/timetable/schools/:schoolId/${path}`, auth, async (req, res) => {
      const { schoolId } = parse(schoolParam, req.params);
      await assertCanEditSchool(db, currentUser(res), schoolId);
      await apply(schoolId, parse(schema, req.body) as T);
      res.json({ timetable: await loadSchoolTimetable(db, schoolId) });
    });
  save('bells', saveBellsBody, (id, b) => replaceBells(db, id, b.periods));
  save('classes', saveClassesBody, (id, b) => replaceClasses(db, id, b.classes));
  save('calendar', saveCalendarBody, (id, b) => replaceCalendar(db, id, b.days));
  save('terms', saveTermsBody, (id, b) => replaceTerms(db, id, b.terms));

  // The file is the body (CSV or .xlsx bytes). All rows import, or none: a half-imported
  // timetable is worse than the old one. Errors name each bad row.
  router.post(
    '/api/timetable/schools/:schoolId/import',
    auth,
    // Authorised before the body is read: only an editor of this school gets a file parsed.
    async (req, res, next) => {
      parse(importQuery, req.query);
      await assertCanEditSchool(db, currentUser(res), parse(schoolParam, req.params).schoolId);
      next();
    },
    express.raw({ type: () => true, limit: MAX_UPLOAD }),
    async (req, res) => {
      const { schoolId } = parse(schoolParam, req.params);
      const { kind, format } = parse(importQuery, req.query); // authorised above, before the body
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let table;
      try {
        // Off the event loop, zip budget first (parsePool): one file can never stall a lesson.
        table = await parseTableUpload(bytes, format);
      } catch (err) {
        if (!(err instanceof FileError)) throw err;
        res.status(400).json({ error: { code: 'BAD_REQUEST', message: err.msg.zh }, rowErrors: [{ row: 0, message: err.msg }] });
        return;
      }
      const dir = await schoolDirectory(db, schoolId);
      const parsed = kind === 'bells' ? parseRows('bells', table) : kind === 'classes' ? parseRows('classes', table, dir) : parseRows('calendar', table);
      if (parsed.errors.length) {
        res.status(400).json({
          error: { code: 'BAD_REQUEST', message: `${parsed.errors.length} 行有错误，未导入任何数据 / ${parsed.errors.length} row error(s); nothing was imported` },
          rowErrors: parsed.errors.slice(0, MAX_ROW_ERRORS),
          encoding: table.encoding,
        });
        return;
      }
      if (kind === 'bells') await replaceBells(db, schoolId, parsed.records as never);
      else if (kind === 'classes') await replaceClasses(db, schoolId, parsed.records as never);
      else await replaceCalendar(db, schoolId, parsed.records as never);
      const result: ImportResult = { kind, imported: parsed.records.length, encoding: table.encoding };
      res.json({ result, timetable: await loadSchoolTimetable(db, schoolId) });
    },
  );

  router.get('/api/timetable/pairings/:pairingId/week', auth, async (req, res) => {
    const { pairingId } = parse(pairingParam, req.params);
    const { allowanceMin } = parse(weekQuery, req.query);
    const pairing = await getPairingFor(db, currentUser(res), pairingId);
    const [city, rural] = [await loadSchoolTimetable(db, pairing.citySchoolId), await loadSchoolTimetable(db, pairing.ruralSchoolId)];
    res.json({ pairing, allowanceMin, city, rural, slots: findSlots(city, rural, allowanceMin) });
  });

  router.post('/api/timetable/pairings/:pairingId/plan', auth, async (req, res) => {
    const { pairingId } = parse(pairingParam, req.params);
    const body = parse(planBody, req.body);
    const pairing = await getPairingFor(db, currentUser(res), pairingId);
    res.json({ plan: await previewTerm(db, pairing, body) });
  });

  router.post('/api/timetable/pairings/:pairingId/schedule', auth, async (req, res) => {
    const { pairingId } = parse(pairingParam, req.params);
    const body = parse(planBody, req.body);
    const user = currentUser(res);
    const pairing = await getPairingFor(db, user, pairingId);
    res.status(201).json(await scheduleTerm(db, user, pairing, body));
  });

  // ---- iCalendar feeds ----

  router.get('/api/timetable/feeds/:kind/:id', auth, async (req, res) => {
    const { kind, id } = parse(feedTokenBody, req.params);
    await assertCanManageFeed(db, currentUser(res), kind, id);
    const createdAt = await feedStatus(db, kind, id);
    res.json({ exists: createdAt !== null, createdAt });
  });

  router.post('/api/timetable/feeds', auth, async (req, res) => {
    const { kind, id } = parse(feedTokenBody, req.body);
    const user = currentUser(res);
    await assertCanManageFeed(db, user, kind, id);
    const { token, createdAt } = await regenerateFeedToken(db, kind, id, user.id);
    res.status(201).json({ url: `${origin(req)}/api/timetable/feed/${token}.ics`, createdAt });
  });

  // No cookie here: calendar apps fetch it with only the secret in the URL.
  router.get('/api/timetable/feed/:file', async (req, res) => {
    const token = /^(.+)\.ics$/.exec(String(req.params.file))?.[1] ?? '';
    const owner = token ? await feedOwner(db, token) : null;
    if (!owner) throw new AppError('NOT_FOUND', 'no such calendar feed (the link may have been regenerated)');
    let name: string;
    if (owner.kind === 'teacher') name = (await getUser(db, owner.id))?.displayName ?? '';
    else {
      const room = await getClassroom(db, owner.id);
      name = room ? `${(await getSchool(db, room.schoolId))?.name ?? ''} ${room.name}` : '';
    }
    const ics = await buildFeed(db, owner.kind, owner.id, name, origin(req));
    res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
    res.setHeader('Content-Disposition', 'inline; filename="tongbu.ics"');
    res.send(ics);
  });

  return router;
}
