// Set-up for the offline-activity tests: the real database with the demo seed, a data folder,
// the activities router in front of the API router (as server/app.ts mounts them), and real
// images made by ffmpeg.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import express from 'express';
import type { Db } from '../../server/db/db.js';
import { createApiRouter } from '../../server/http/api.js';
import { errorHandler } from '../../server/http/errors.js';
import { securityHeaders } from '../../server/http/headers.js';
import { offlineActivitiesRouter } from '../../server/workspace/activitiesRoutes.js';
import { listen, type Server } from './api.helpers.js';

const run = promisify(execFile);

export async function startActivitiesApi(db: Db, dataDir: string, limits: { evidenceBytesMax?: number; minFreeBytes?: number } = {}): Promise<Server> {
  const app = express();
  app.use(securityHeaders());
  app.use(offlineActivitiesRouter({ db, dataDir, ...limits }), errorHandler);
  app.use(createApiRouter({ db, config: { secureCookies: false } }));
  return listen(app);
}

export const tempDir = (prefix: string) => mkdtemp(path.join(os.tmpdir(), prefix));

/** A real picture of `size` ('1280x720') in `format` (jpg, png, webp), drawn by ffmpeg's test source. */
export async function ffmpegImage(dir: string, name: string, size: string): Promise<Buffer> {
  const file = path.join(dir, name);
  await run('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}`, '-frames:v', '1', '-y', file]);
  return readFile(file);
}

/** Width and height of an image, as ffprobe reads it. */
export async function probeSize(file: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'json', file]);
  const s = (JSON.parse(stdout) as { streams: { width: number; height: number }[] }).streams[0];
  return { width: s.width, height: s.height };
}

export function upload(url: string, activityId: string, name: string, body: Buffer | ReadableStream<Uint8Array>, cookie: string): Promise<Response> {
  return fetch(`${url}/api/workspace/activities/${activityId}/evidence?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    body,
    ...(body instanceof Buffer ? {} : { duplex: 'half' }),
  } as RequestInit);
}

export function send(url: string, method: 'POST' | 'DELETE' | 'GET', p: string, cookie: string, body?: unknown): Promise<Response> {
  return fetch(url + p, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
