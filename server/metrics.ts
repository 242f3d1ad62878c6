// Prometheus metrics at /metrics: live lessons, participants, media objects, worker CPU.
import client from 'prom-client';
import type { WorkerPool } from '../media/WorkerPool.js';
import { internalErrors } from './http/apiError.js';
import type { LessonRegistry } from './live/LessonRegistry.js';
import { processFaultMetrics } from './processFaults.js';
import { recorderLossKeyFrames, recorderRuns, recorderWatchdogRestarts } from './recordings/captureMetrics.js';

export function createMetrics(deps: { pool: () => WorkerPool | null; registry: () => LessonRegistry | null }) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'tongbu_process_' });
  for (const m of Object.values(processFaultMetrics)) registry.registerMetric(m);

  const totals = () => {
    const t = { lessons: 0, peers: 0, producers: 0, consumers: 0, transports: 0 };
    for (const live of deps.registry()?.all() ?? []) {
      const c = live.counts();
      t.lessons++;
      t.peers += c.peers;
      t.producers += c.producers;
      t.consumers += c.consumers;
      t.transports += c.transports;
    }
    return t;
  };
  const gauge = (name: string, help: string, key: keyof ReturnType<typeof totals>) =>
    new client.Gauge({ name, help, registers: [registry], collect() { this.set(totals()[key]); } });
  gauge('tongbu_live_lessons', 'Lessons with a media router on this process', 'lessons');
  gauge('tongbu_peers', 'Participants in live lessons', 'peers');
  gauge('tongbu_producers', 'mediasoup producers', 'producers');
  gauge('tongbu_consumers', 'mediasoup consumers', 'consumers');
  gauge('tongbu_transports', 'mediasoup WebRTC transports', 'transports');

  new client.Gauge({
    name: 'tongbu_media_worker_cpu_seconds',
    help: 'CPU time (user+system) used by each mediasoup worker since it started',
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const w of deps.pool()?.workers ?? []) {
        if (w.worker.closed) continue;
        const u = await w.worker.getResourceUsage().catch(() => null);
        if (u) this.set({ worker: String(w.index) }, (u.ru_utime + u.ru_stime) / 1000);
      }
    },
  });
  new client.Gauge({
    name: 'tongbu_media_workers',
    help: 'Running mediasoup workers',
    registers: [registry],
    collect() {
      this.set((deps.pool()?.workers ?? []).filter((w) => !w.worker.closed).length);
    },
  });

  registry.registerMetric(internalErrors);
  registry.registerMetric(recorderWatchdogRestarts);
  registry.registerMetric(recorderRuns);
  registry.registerMetric(recorderLossKeyFrames);
  return registry;
}
