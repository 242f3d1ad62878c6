// /api/research: groups, sessions, targets, the rubric, annotations (read + exports), analysis
// with corrections, rubric scores and the 评课报告. Creating annotations goes over Socket.IO
// (research/socket.ts) so every viewer of the recording sees them at once.
import { Router } from 'express';
import type { Queryable } from '../db/db.js';
import type { Lesson } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { lessonForResearch, requireGroupCreator, requireResearcher, requireSameCommunity } from './policy.js';
import {
  addMember,
  createGroup,
  createSession,
  getGroup,
  getSession,
  isLead,
  isMember,
  listGroups,
  listSessions,
  pairingInCommunity,
  removeMember,
  setTarget,
  targetProgress,
  updateSession,
} from './groupsRepo.js';
import { listAnnotations, markMentionsRead, unreadMentions } from './annotationsRepo.js';
import { analyseLesson, classroomNames, setCorrection, voiceTracks } from './analysisRepo.js';
import { voiceTiers } from './export/voiceTiers.js';
import { getRubric, saveScores, scoresView, setRubric } from './rubricRepo.js';
import { FLANDERS_CODES, ST_CODES } from './frameworks.js';
import { peopleFor } from './people.js';
import { reportData } from './export/report.js';
import { renderAnnotations, renderReportExport } from '../uploads/parsePool.js';
import type { StInterval } from '../contract/analysis/st.js';
import {
  addMemberBody,
  analysisQuery,
  annotationFilter,
  correctionBody,
  createGroupBody,
  createSessionBody,
  idParam,
  lessonIdParam,
  memberParams,
  reportQuery,
  rubricBody,
  scoresBody,
  targetBody,
  targetParams,
  targetsQuery,
  updateSessionBody,
} from './schema.js';
import { z } from 'zod';

const fileName = (title: string, ext: string) => `attachment; filename="lesson.${ext}"; filename*=UTF-8''${encodeURIComponent(`${title}.${ext}`)}`;

export function researchRouter({ db }: { db: Queryable }): Router {
  /** Raw and attributed speech per track, for the notes exports (whatever the notes filter). */
  const lessonVoiceTiers = async (lesson: Lesson) => {
    const [tracks, names] = await Promise.all([voiceTracks(db, lesson.id), classroomNames(db, lesson)]);
    return voiceTiers(tracks, names);
  };
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/research/groups', auth, async (_req, res) => {
    res.json({ groups: await listGroups(db, currentUser(res)) });
  });

  router.post('/api/research/groups', auth, async (req, res) => {
    const user = currentUser(res);
    requireGroupCreator(user);
    const body = parse(createGroupBody, req.body);
    for (const m of body.memberIds) await requireSameCommunity(db, user, m);
    res.status(201).json({ group: await createGroup(db, user, body) });
  });

  router.get('/api/research/groups/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const group = await getGroup(db, currentUser(res), id);
    res.json({ group, sessions: await listSessions(db, { groupId: id }) });
  });

  router.post('/api/research/groups/:id/members', auth, async (req, res) => {
    const user = currentUser(res);
    const { id } = parse(idParam, req.params);
    const body = parse(addMemberBody, req.body);
    const group = await getGroup(db, user, id);
    if (!isLead(group, user)) throw new AppError('FORBIDDEN', 'only the group’s leads manage members');
    await requireSameCommunity(db, user, body.userId);
    await addMember(db, id, body.userId, body.role);
    res.json({ group: await getGroup(db, user, id) });
  });

  router.delete('/api/research/groups/:id/members/:userId', auth, async (req, res) => {
    const user = currentUser(res);
    const { id, userId } = parse(memberParams, req.params);
    const group = await getGroup(db, user, id);
    if (!isLead(group, user) && user.id !== userId) throw new AppError('FORBIDDEN', 'only the group’s leads manage members');
    await removeMember(db, id, userId);
    res.json({ group: await getGroup(db, user, id) });
  });

  router.post('/api/research/sessions', auth, async (req, res) => {
    const user = currentUser(res);
    const body = parse(createSessionBody, req.body);
    const group = await getGroup(db, user, body.groupId);
    if (!isMember(group, user.id) && user.role !== 'community_admin') throw new AppError('FORBIDDEN', 'only members schedule the group’s sessions');
    if (body.lessonId) await lessonForResearch(db, user, body.lessonId);
    if (body.pairingId && !(await pairingInCommunity(db, user, body.pairingId))) throw new AppError('NOT_FOUND', 'pairing not found');
    res.status(201).json({ session: await createSession(db, user, body) });
  });

  const sessionFor = async (id: string, res: Parameters<typeof currentUser>[0]) => {
    const user = currentUser(res);
    const session = await getSession(db, id);
    if (!session) throw new AppError('NOT_FOUND', 'session not found');
    const group = await getGroup(db, user, session.groupId);
    return { user, session, group };
  };

  router.get('/api/research/sessions/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { session } = await sessionFor(id, res);
    res.json({ session });
  });

  router.post('/api/research/sessions/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const patch = parse(updateSessionBody, req.body);
    const { user, group } = await sessionFor(id, res);
    if (!isMember(group, user.id) && user.role !== 'community_admin') throw new AppError('FORBIDDEN', 'only members write the session’s agenda and minutes');
    res.json({ session: await updateSession(db, id, patch) });
  });

  router.get('/api/research/lessons/:lessonId/sessions', auth, async (req, res) => {
    const { lessonId } = parse(lessonIdParam, req.params);
    await lessonForResearch(db, currentUser(res), lessonId);
    res.json({ sessions: await listSessions(db, { lessonId }) });
  });

  router.get('/api/research/targets', auth, async (req, res) => {
    const { year } = parse(targetsQuery, req.query);
    res.json({ targets: await targetProgress(db, currentUser(res), year ?? new Date().getUTCFullYear()) });
  });

  router.post('/api/research/targets/:pairingId/:year', auth, async (req, res) => {
    const user = currentUser(res);
    const { pairingId, year } = parse(targetParams, req.params);
    const body = parse(targetBody, req.body);
    if (user.role !== 'community_admin') throw new AppError('FORBIDDEN', 'only community admins set targets');
    if (!(await pairingInCommunity(db, user, pairingId))) throw new AppError('NOT_FOUND', 'pairing not found');
    await setTarget(db, pairingId, year, body);
    res.json({ targets: await targetProgress(db, user, year) });
  });

  // People who can be group members or @mentioned: what the caller's role needs (people.ts).
  router.get('/api/research/people', auth, async (_req, res) => {
    res.json({ people: await peopleFor(db, currentUser(res)) });
  });

  router.get('/api/research/frameworks', auth, async (_req, res) => {
    res.json({ st: ST_CODES, flanders: FLANDERS_CODES, rubric: await getRubric(db, currentUser(res).id) });
  });

  router.post('/api/research/rubric', auth, async (req, res) => {
    res.json({ rubric: await setRubric(db, currentUser(res), parse(rubricBody, req.body)) });
  });

  router.get('/api/research/lessons/:lessonId/annotations', auth, async (req, res) => {
    const { lessonId } = parse(lessonIdParam, req.params);
    await lessonForResearch(db, currentUser(res), lessonId);
    res.json({ annotations: await listAnnotations(db, lessonId, parse(annotationFilter, req.query)) });
  });

  router.get('/api/research/lessons/:lessonId/annotations.csv', auth, async (req, res) => {
    const { lessonId } = parse(lessonIdParam, req.params);
    const lesson = await lessonForResearch(db, currentUser(res), lessonId);
    // Built in the document pool (uploads/): thousands of notes are a second of string building.
    const csv = await renderAnnotations({
      format: 'csv',
      list: await listAnnotations(db, lessonId, parse(annotationFilter, req.query)),
      voice: await lessonVoiceTiers(lesson),
    });
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', fileName(lesson.title, 'csv'));
    res.send(csv);
  });

  router.get('/api/research/lessons/:lessonId/annotations.eaf', auth, async (req, res) => {
    const user = currentUser(res);
    const { lessonId } = parse(lessonIdParam, req.params);
    const lesson = await lessonForResearch(db, user, lessonId);
    const eaf = await renderAnnotations({
      format: 'eaf',
      list: await listAnnotations(db, lessonId, parse(annotationFilter, req.query)),
      eaf: { mediaUrl: `${lessonId}.mp4`, author: user.displayName },
      voice: await lessonVoiceTiers(lesson),
    });
    res.type('application/xml; charset=utf-8').setHeader('Content-Disposition', fileName(lesson.title, 'eaf'));
    res.send(eaf);
  });

  router.get('/api/research/lessons/:lessonId/analysis', auth, async (req, res) => {
    const { lessonId } = parse(lessonIdParam, req.params);
    const { interval, method } = parse(analysisQuery, req.query);
    const lesson = await lessonForResearch(db, currentUser(res), lessonId);
    res.json({ lesson, analysis: await analyseLesson(db, lesson, interval as StInterval, method) });
  });

  router.post('/api/research/lessons/:lessonId/st-corrections', auth, async (req, res) => {
    const user = currentUser(res);
    const { lessonId } = parse(lessonIdParam, req.params);
    const body = parse(correctionBody, req.body);
    const lesson = await lessonForResearch(db, user, lessonId);
    requireResearcher(user);
    const before = await analyseLesson(db, lesson, body.intervalS);
    if (body.sampleIndex >= before.st.samples.length) throw new AppError('BAD_REQUEST', `sampleIndex: the lesson has ${before.st.samples.length} samples`);
    await setCorrection(db, lessonId, user.id, body);
    res.json({ analysis: await analyseLesson(db, lesson, body.intervalS, body.method) });
  });

  router.get('/api/research/lessons/:lessonId/scores', auth, async (req, res) => {
    const user = currentUser(res);
    const { lessonId } = parse(lessonIdParam, req.params);
    await lessonForResearch(db, user, lessonId);
    res.json(await scoresView(db, user.id, lessonId));
  });

  router.post('/api/research/lessons/:lessonId/scores', auth, async (req, res) => {
    const user = currentUser(res);
    const { lessonId } = parse(lessonIdParam, req.params);
    const body = parse(scoresBody, req.body);
    const lesson = await lessonForResearch(db, user, lessonId);
    await saveScores(db, user, lesson, body);
    res.json(await scoresView(db, user.id, lessonId));
  });

  router.get('/api/research/lessons/:lessonId/report.:format', auth, async (req, res) => {
    const user = currentUser(res);
    const { lessonId, format } = parse(lessonIdParam.extend({ format: z.enum(['pdf', 'docx']) }), req.params);
    const { interval, method } = parse(reportQuery, req.query);
    const lesson = await lessonForResearch(db, user, lessonId);
    const data = await reportData(db, user, lesson, interval as StInterval, method);
    // Charts, layout and the file itself are generated in the document pool, off the event loop.
    const buf = await renderReportExport(data, format);
    res
      .type(format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
      .setHeader('Content-Disposition', fileName(`评课报告-${lesson.title}`, format));
    res.send(buf);
  });

  router.get('/api/research/mentions', auth, async (_req, res) => {
    res.json({ annotations: await unreadMentions(db, currentUser(res).id) });
  });

  router.post('/api/research/mentions/read', auth, async (req, res) => {
    const { ids } = parse(z.object({ ids: z.array(z.string().min(1).max(64)).max(500) }), req.body);
    await markMentionsRead(db, currentUser(res).id, ids);
    res.json({ ok: true });
  });

  return router;
}
