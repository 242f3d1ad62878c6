// A real Redis for tests: the product's own embedded-Redis launcher in a temp folder.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/services/redisServer.js';

export async function startTestRedis(): Promise<EmbeddedRedis & { dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-redis-'));
  const redis = await startEmbeddedRedis(dir);
  return {
    ...redis,
    dir,
    stop: async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
