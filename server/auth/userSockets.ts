// The live sockets of a user across both Socket.IO servers (/socket.io and /plans.io), so a
// revoked session ends now, not at the device's next reconnect. A socket authenticates once, at
// its handshake (socketAuth.ts): deleting the session row alone would leave it connected.
// fetchSockets() goes through the server's adapter, so with the Redis adapter (/plans.io) the
// sockets on other web processes are found and disconnected too.
import type { Server } from 'socket.io';
import type { PublicUser } from '../contract/domain.js';
import { logger } from '../log.js';

const log = logger('auth.sockets');

// Any server whose sockets carry `data.user` (both of ours do).
type AnyServer = Pick<Server, 'fetchSockets' | 'local'>;

export class UserSockets {
  private readonly servers: AnyServer[] = [];

  add(io: AnyServer): void {
    this.servers.push(io);
  }

  /** Disconnects every socket of these users; returns how many. */
  async disconnect(userIds: readonly string[]): Promise<number> {
    const ids = new Set(userIds);
    if (ids.size === 0) return 0;
    let n = 0;
    for (const io of this.servers) {
      let sockets;
      try {
        sockets = await io.fetchSockets();
      } catch (err) {
        // Another process did not answer in time: this process's sockets at least.
        log.warn('fetchSockets across processes failed; disconnecting local sockets only', { err });
        sockets = await io.local.fetchSockets();
      }
      for (const s of sockets) {
        const user = (s.data as { user?: PublicUser } | undefined)?.user;
        if (user && ids.has(user.id)) {
          s.disconnect(true);
          n++;
        }
      }
    }
    return n;
  }
}
