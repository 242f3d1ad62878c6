// Configuration from the environment, with embedded defaults that need nothing external.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { logLevelSchema } from './contract/log.js';

const bool = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true');


const env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Everything the product stores by default lives here: database, Redis AOF, recordings. */
  TONGBU_DATA_DIR: z.string().default(path.resolve('data')),
  /** PostgreSQL URL; unset = embedded PGlite under the data dir. */
  DATABASE_URL: z.string().url().optional(),
  /** External Redis; unset = the app spawns its own redis-server. */
  REDIS_URL: z.string().url().optional(),
  /** Address put in ICE candidates; unset = this machine's first non-internal IPv4, else 127.0.0.1. */
  TONGBU_ANNOUNCED_IP: z.string().optional(),
  TONGBU_RTC_MIN_PORT: z.coerce.number().int().default(20000),
  TONGBU_RTC_MAX_PORT: z.coerce.number().int().default(20999),
  /** mediasoup workers; default one per core. */
  TONGBU_MEDIA_WORKERS: z.coerce.number().int().min(1).optional(),
  /** Force the session cookie's Secure flag on (1) or off (0); unset = Secure whenever the request came over HTTPS (req.secure, honouring TONGBU_TRUST_PROXY). */
  TONGBU_SECURE_COOKIES: bool.optional(),
  /** Express `trust proxy`: which hops may set X-Forwarded-For/-Proto (default: a proxy on this machine). */
  TONGBU_TRUST_PROXY: z.string().min(1).default('loopback'),
  /** Comma-separated origins (https://school.example) allowed besides the server's own for state-changing requests and socket handshakes. */
  TONGBU_ALLOWED_ORIGINS: z.string().optional(),
  /** Bearer token for /metrics from other machines; loopback needs none. */
  TONGBU_METRICS_TOKEN: z.string().min(16).optional(),
  /** Demo accounts' password; unset = a random one, printed at start. */
  TONGBU_DEMO_PASSWORD: z.string().min(8).optional(),
  /** UDP ports the recorder (ffmpeg) binds, outside the mediasoup range; default the 400 ports after it. */
  TONGBU_RECORDER_MIN_PORT: z.coerce.number().int().min(1024).max(65534).optional(),
  TONGBU_RECORDER_MAX_PORT: z.coerce.number().int().min(1025).max(65535).optional(),
  /** Length of a recorded segment: a recorder crash loses at most about this much. */
  TONGBU_RECORDING_SEGMENT_S: z.coerce.number().min(1).max(60).default(4),
  /** Recording stops (the lesson goes on) when the data folder has less free space than this. */
  TONGBU_RECORDING_MIN_FREE_MB: z.coerce.number().min(0).default(500),
  /** Seconds an ordered shutdown may take before the process force-exits (also when Redis or the database is gone). */
  TONGBU_SHUTDOWN_TIMEOUT_S: z.coerce.number().min(1).max(300).default(10),
  TONGBU_LOG_LEVEL: logLevelSchema,
  /** Processing worker processes the all-roles product spawns (0 = the workers run in this process). */
  TONGBU_WORKER_PROCESSES: z.coerce.number().int().min(0).max(16).default(1),
  /** Set by the product for the worker processes it spawns: shut down when the parent's IPC channel goes. */
  TONGBU_PARENT_IPC: bool.optional(),
  /** TURN relay for classrooms behind strict NAT (comma-separated URLs) and coturn's use-auth-secret; both or neither. */
  TONGBU_TURN_URL: z.string().min(1).optional(),
  TONGBU_TURN_SECRET: z.string().min(1).optional(),
  /** Processing jobs: how long a job's lock lasts without renewal, and how often stalled jobs are looked for (workers/recording/workers.ts has the defaults). */
  TONGBU_JOB_LOCK_MS: z.coerce.number().int().min(100).optional(),
  TONGBU_JOB_STALLED_CHECK_MS: z.coerce.number().int().min(100).optional(),
});


export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const e = env.parse(source);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.TONGBU_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    announcedIp: e.TONGBU_ANNOUNCED_IP ?? firstLanIPv4() ?? '127.0.0.1',
    rtcMinPort: e.TONGBU_RTC_MIN_PORT,
    rtcMaxPort: e.TONGBU_RTC_MAX_PORT,
    mediaWorkers: e.TONGBU_MEDIA_WORKERS ?? os.availableParallelism(),
    secureCookies: e.TONGBU_SECURE_COOKIES,
    trustProxy: e.TONGBU_TRUST_PROXY,
    allowedOrigins: e.TONGBU_ALLOWED_ORIGINS,
    metricsToken: e.TONGBU_METRICS_TOKEN,
    demoPassword: e.TONGBU_DEMO_PASSWORD,
    logLevel: e.TONGBU_LOG_LEVEL,
    shutdownTimeoutMs: Math.round(e.TONGBU_SHUTDOWN_TIMEOUT_S * 1000),
    recorderMinPort: e.TONGBU_RECORDER_MIN_PORT ?? e.TONGBU_RTC_MAX_PORT + 1,
    recorderMaxPort: e.TONGBU_RECORDER_MAX_PORT ?? (e.TONGBU_RECORDER_MIN_PORT ?? e.TONGBU_RTC_MAX_PORT + 1) + 399,
    recordingSegmentMs: Math.round(e.TONGBU_RECORDING_SEGMENT_S * 1000),
    recordingMinFreeBytes: Math.round(e.TONGBU_RECORDING_MIN_FREE_MB * 1024 * 1024),
    workerProcesses: e.TONGBU_WORKER_PROCESSES,
    parentIpc: e.TONGBU_PARENT_IPC ?? false,
    turn: e.TONGBU_TURN_URL && e.TONGBU_TURN_SECRET ? { url: e.TONGBU_TURN_URL, secret: e.TONGBU_TURN_SECRET } : null,
    jobLockMs: e.TONGBU_JOB_LOCK_MS,
    jobStalledCheckMs: e.TONGBU_JOB_STALLED_CHECK_MS,
  };
}

function firstLanIPv4(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
