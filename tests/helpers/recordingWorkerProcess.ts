// A worker process on its own (as on another machine): `node --import tsx` this file with
// REDIS_URL, TONGBU_DATA_DIR and TONGBU_QUEUE_PREFIX. Prints "ready" when its workers listen.
import { startWorkers } from '../../workers/main.js';

const handle = await startWorkers({
  redisUrl: process.env.REDIS_URL!,
  dataDir: process.env.TONGBU_DATA_DIR!,
  prefix: process.env.TONGBU_QUEUE_PREFIX,
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => void handle.close().then(() => process.exit(0)));
