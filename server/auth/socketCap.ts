// Socket.IO middleware shared by both socket servers: at most `max` open sockets per user on
// this process. Each socket holds memory, rooms and a share of every broadcast, so one account
// (or one stolen cookie) cannot open thousands. Refused handshakes get a typed connect_error.
import type { PublicUser } from '../contract/domain.js';

interface CappedSocket {
  data: { user?: PublicUser };
  once(event: 'disconnect', listener: () => void): unknown;
  conn: { once(event: 'close', listener: () => void): unknown };
}

export function capSocketsPerUser(max: number) {
  const open = new Map<string, number>();
  return (socket: CappedSocket, next: (err?: Error) => void): void => {
    const userId = socket.data.user?.id;
    if (!userId) return next(); // the auth middleware before this one refuses those
    const n = open.get(userId) ?? 0;
    if (n >= max) {
      const message = `too many connections for this account (at most ${max})`;
      return next(Object.assign(new Error('RATE_LIMITED'), { data: { code: 'RATE_LIMITED', message } }));
    }
    open.set(userId, n + 1);
    // Counted from the handshake; released once, by whichever comes first: the socket's
    // disconnect, or its transport closing (also when it closes before the connection completes).
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (open.get(userId) ?? 1) - 1;
      if (left > 0) open.set(userId, left);
      else open.delete(userId);
    };
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    next();
  };
}
