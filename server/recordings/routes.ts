// Recordings over HTTP: the list with processing state, a lesson's replay info, retry of a
// failed job, and the files — each request checks the recording's visibility scope, files are
// addressed by validated ids (never by a path from the URL), and media answer Range requests.
import { existsSync } from 'node:fs';
import { Router, type Response } from 'express';
import type { Queryable } from '../db/db.js';
import type { Lesson, PublicUser } from '../contract/domain.js';
import type { RecordingProgress, ReplayInfo } from '../contract/recordings.js';
import { AppError } from '../contract/errors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { getLesson } from '../lessons/repo.js';
import { fileNumber, recPaths, resolveIn } from '../contract/recordingPaths.js';
import { keys, windowCount } from './planner.js';
import { compositePlaylist, trackPlaylist } from './playlists.js';
import { canManageRecording, canViewRecording, visibleRecordingIds } from './policy.js';
import { getTrackHead, listCommunityRecordingIds, listOutputs, listSegments } from './processingRepo.js';
import { getRecording, type RecordingRow } from './repo.js';
import type { RecordingProcessing } from './processing.js';
import { assetParam, compositeFileParam, downloadQuery, lessonParam, retryParam, trackFileParam } from './schema.js';
import { replayInfo } from './replay.js';

export function recordingsRouter({ db, dataDir, processing }: { db: Queryable; dataDir: string; processing: RecordingProcessing | null }): Router {
  const router = Router();
  const auth = requireUser(db);

  /** The lesson and its recording if this user may see it; otherwise the same 404 as for nothing. */
  async function visible(res: Response, lessonId: string): Promise<{ lesson: Lesson; rec: RecordingRow; user: PublicUser }> {
    const user = currentUser(res);
    const [lesson, rec] = await Promise.all([getLesson(db, lessonId), getRecording(db, lessonId)]);
    if (!lesson || !rec || !(await canViewRecording(db, user, lesson, rec.visibility))) throw new AppError('NOT_FOUND', 'recording not found');
    return { lesson, rec, user };
  }

  router.get('/api/recordings', auth, async (_req, res) => {
    const user = currentUser(res);
    const ids = await listCommunityRecordingIds(db, user.id, 200);
    // Visibility of all of them in one query, and their progress in one query per table (not six per lesson).
    const visible = new Set(await visibleRecordingIds(db, user, ids));
    const out: RecordingProgress[] = processing ? await processing.progressMany(ids.filter((id) => visible.has(id))) : [];
    res.setHeader('Cache-Control', 'no-store');
    res.json({ recordings: out });
  });

  router.get('/api/recordings/:lessonId', auth, async (req, res) => {
    const { lessonId } = parse(lessonParam, req.params);
    const { lesson, rec, user } = await visible(res, lessonId);
    if (!processing) throw new AppError('UNAVAILABLE', 'processing is not running');
    const info: ReplayInfo = await replayInfo(db, processing, lesson, rec);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ replay: info, canManage: await canManageRecording(db, user, lesson) });
  });

  router.post('/api/recordings/:lessonId/jobs/:key/retry', auth, async (req, res) => {
    const { lessonId, key } = parse(retryParam, req.params);
    const { lesson, user } = await visible(res, lessonId);
    if (!(await canManageRecording(db, user, lesson))) throw new AppError('FORBIDDEN', "only the lesson's teacher or an admin may retry processing");
    if (!processing) throw new AppError('UNAVAILABLE', 'processing is not running');
    await processing.retry(lessonId, key);
    res.status(204).end();
  });

  router.get('/api/recordings/:lessonId/files/tracks/:trackId/:file', auth, async (req, res) => {
    const { lessonId, trackId, file } = parse(trackFileParam, req.params);
    const { rec } = await visible(res, lessonId);
    const segments = (await listSegments(db, lessonId)).filter((g) => g.trackId === trackId);
    const track = await getTrackHead(db, lessonId, trackId);
    if (!track) throw new AppError('NOT_FOUND', 'no such track');
    if (file === 'track.webm') {
      const joined = (await listOutputs(db, lessonId)).find((o) => o.key === keys.trackFile(trackId));
      if (joined?.state !== 'done') throw new AppError('NOT_FOUND', 'not ready yet');
      return sendMedia(res, resolveIn(dataDir, recPaths.trackFile(lessonId, trackId)), track.kind === 'audio' ? 'audio/webm' : 'video/webm');
    }
    if (file === 'index.m3u8') {
      const outs = (await listOutputs(db, lessonId)).filter((o) => o.kind === 'track' && o.trackId === trackId && o.seq != null);
      const text = trackPlaylist(track.startMs, segments, new Map(outs.map((o) => [o.seq!, o])), rec.state === 'stopped');
      return sendText(res, text, 'application/vnd.apple.mpegurl');
    }
    const seq = fileNumber(file);
    if (seq === null || !segments.some((g) => g.seq === seq)) throw new AppError('NOT_FOUND', 'no such segment');
    sendMedia(res, resolveIn(dataDir, recPaths.trackChunk(lessonId, trackId, seq)), 'video/mp2t');
  });

  router.get('/api/recordings/:lessonId/files/composite/:file', auth, async (req, res) => {
    const { lessonId, file } = parse(compositeFileParam, req.params);
    const { rec } = await visible(res, lessonId);
    if (file === 'index.m3u8') {
      const s = processing ? await processing.load(lessonId) : null;
      const windows = (await listOutputs(db, lessonId)).filter((o) => o.kind === 'window');
      const total = s ? windowCount(s) : 0;
      return sendText(res, compositePlaylist(windows, total, rec.state === 'stopped'), 'application/vnd.apple.mpegurl');
    }
    sendMedia(res, resolveIn(dataDir, recPaths.windowChunk(lessonId, fileNumber(file)!)), 'video/mp2t');
  });

  router.get('/api/recordings/:lessonId/files/:asset', auth, async (req, res) => {
    const { lessonId, asset } = parse(assetParam, req.params);
    const { lesson } = await visible(res, lessonId);
    const q = parse(downloadQuery, req.query);
    const outs = await listOutputs(db, lessonId);
    const needed = { 'composite.mp4': keys.composite(lessonId), 'thumbs.jpg': keys.thumbnails(lessonId), 'peaks.json': keys.peaks(lessonId) }[asset];
    if (outs.find((o) => o.key === needed)?.state !== 'done') throw new AppError('NOT_FOUND', 'not ready yet');
    const file = { 'composite.mp4': recPaths.compositeMp4, 'thumbs.jpg': recPaths.thumbnails, 'peaks.json': recPaths.peaks }[asset](lessonId);
    const type = { 'composite.mp4': 'video/mp4', 'thumbs.jpg': 'image/jpeg', 'peaks.json': 'application/json' }[asset];
    if (asset === 'composite.mp4' && q.download === '1') {
      const name = `${lesson.title.replace(/[\\/:*?"<>|\r\n]/g, '_').slice(0, 80) || 'lesson'}.mp4`;
      res.setHeader('Content-Disposition', `attachment; filename="lesson.mp4"; filename*=UTF-8''${encodeURIComponent(name)}`);
    }
    sendMedia(res, resolveIn(dataDir, file), type);
  });

  return router;
}

function sendText(res: Response, text: string, type: string): void {
  res.setHeader('Cache-Control', 'private, no-store');
  res.type(type).send(text);
}

/** Range-capable file answer; the path is always one we built. */
function sendMedia(res: Response, abs: string, type: string): void {
  if (!existsSync(abs)) throw new AppError('NOT_FOUND', 'not ready yet');
  res.sendFile(abs, { headers: { 'Content-Type': type, 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff' }, dotfiles: 'deny', acceptRanges: true });
}
