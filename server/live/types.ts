import type { Server, Socket } from 'socket.io';
import type { PublicUser } from '../contract/domain.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../contract/events.js';

export interface SocketData {
  user: PublicUser;
}
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
