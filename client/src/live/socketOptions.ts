// The live lesson's Socket.IO client options, in one place: the browser uses them
// (LessonClient), and the heartbeat-under-load test connects with exactly these.
// (The heartbeat timing itself is the server's: pingInterval/pingTimeout come with the handshake.)
export const LIVE_SOCKET_OPTIONS = {
  path: '/socket.io',
  withCredentials: true,
  transports: ['websocket'],
  reconnection: true,
  reconnectionAttempts: Infinity,
  reconnectionDelay: 1000,
  reconnectionDelayMax: 10_000,
  randomizationFactor: 0.5,
  timeout: 10_000,
  autoConnect: false,
};
