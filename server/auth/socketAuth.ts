// Socket.IO middleware shared by the lesson and the plan socket servers: the session cookie
// decides who the socket is (socket.data.user), or the handshake is refused UNAUTHENTICATED.
import type { PublicUser } from '../contract/domain.js';
import type { Db } from '../db/db.js';
import { logger } from '../contract/log.js';
import { userFromCookieHeader } from './sessions.js';

const log = logger('auth.socket');

interface HandshakeSocket {
  handshake: { headers: { cookie?: string } };
  data: { user?: PublicUser };
}

export function cookieAuth(db: Db) {
  return (socket: HandshakeSocket, next: (err?: Error) => void): void => {
    userFromCookieHeader(db, socket.handshake.headers.cookie)
      .then((user) => {
        if (!user) return next(Object.assign(new Error('UNAUTHENTICATED'), { data: { code: 'UNAUTHENTICATED' } }));
        socket.data.user = user;
        next();
      })
      .catch((err) => {
        log.error('socket auth failed', { err });
        next(new Error('INTERNAL'));
      });
  };
}
