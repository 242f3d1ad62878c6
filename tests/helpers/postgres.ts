// A real, throwaway PostgreSQL for tests: Debian's server binaries (package `postgresql`,
// installed by infra/ensure-system.sh --test), a fresh cluster in a temp folder on a free
// port, its unix socket in that folder, trust auth on localhost. stop() removes every trace.
// initdb and postgres refuse to run as root, so as root they run as the `postgres` user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './freePort.js';
import os from 'node:os';
import path from 'node:path';

export interface TestPostgres {
  /** DATABASE_URL of an empty database `tongbu`. */
  url: string;
  port: number;
  dir: string;
  /** Creates another empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin folder, or a clear error naming the package to install. */
export function postgresBinDir(): string {
  const fromEnv = process.env.TONGBU_PG_BIN;
  const candidates = fromEnv
    ? [fromEnv]
    : existsSync(PG_ROOT)
      ? readdirSync(PG_ROOT)
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => path.join(PG_ROOT, v, 'bin'))
      : [];
  const found = candidates.find((d) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'postgres')));
  if (!found) {
    throw new Error(
      `PostgreSQL server binaries (initdb, postgres) not found in ${fromEnv ?? `${PG_ROOT}/<version>/bin`}. ` +
        'Install Debian\'s package: `infra/ensure-system.sh --test` (apt-get install -y --no-install-recommends postgresql), ' +
        'or point TONGBU_PG_BIN at a folder holding them.',
    );
  }
  return found;
}


/** uid/gid to run the server as: ourselves, or `postgres` when we are root. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (it comes with the postgresql package)');
    return Number(r.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = path.join(dir, 'data');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: dir };
  let child: ChildProcess | null = null;
  const cleanup = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  // The postmaster does not die with us: a crashed test run must not leave one (or its files) behind.
  function killOnExit() {
    child?.kill('SIGKILL');
    try {
      cleanup();
    } catch {
      // best effort while exiting
    }
  }
  try {
    const init = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'],
      { cwd: dir, env, encoding: 'utf8', ...user },
    );
    if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stdout}${init.stderr}${init.error ?? ''}`);

    const port = await freePort();
    let log = '';
    // setpriv (util-linux, always on Debian) makes the kernel kill the postmaster if this
    // process dies without running exit handlers (a killed test worker, a timeout).
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
    const postgres = [
      path.join(bin, 'postgres'),
      '-D', data,
      '-p', String(port),
      '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      // A throwaway cluster: durability is not what is under test.
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=100',
    ];
    child = setpriv
      ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', ...postgres], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...user })
      : spawn(postgres[0], postgres.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
    const server = child;
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    process.on('exit', killOnExit);

    const { default: pg } = await import('pg');
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`postgres exited early:\n${log}`);
      const c = new pg.Client({ connectionString: admin });
      const ok = await c.connect().then(() => true, () => false);
      await c.end().catch(() => undefined);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const createDatabase = async (name: string) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`create database ${name}`);
      } finally {
        await c.end();
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    };
    const url = await createDatabase('tongbu');

    let stopped: Promise<void> | null = null;
    return {
      url,
      port,
      dir,
      createDatabase,
      stop: () =>
        (stopped ??= (async () => {
          if (server.exitCode === null && server.signalCode === null) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(() => server.kill('SIGKILL'), 10_000);
              server.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
              // SIGINT = "fast" shutdown: disconnects clients, no waiting for them.
              server.kill('SIGINT');
            });
          }
          cleanup();
        })()),
    };
  } catch (err) {
    child?.kill('SIGKILL');
    cleanup();
    throw err;
  }
}
