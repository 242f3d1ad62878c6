// Socket.IO heartbeat of the live and plan sockets. Under saturation a lesson has participants
// that fall silent for many seconds without being gone: a browser on a starved machine answers
// pings late (the pong is sent by its JavaScript, whose main thread may not run for seconds),
// and a busy server sends its pings late (its timers run late). The old 10 s to answer closed
// every socket of a lesson then, and each came back through a full rejoin and media redo
// (重新连接中 for 30–60 s). Now:
//   - a pong may be 30 s late (pingTimeout) before the server gives a client up;
//   - a client gives a server up only when no ping came for 40 s (pingInterval + pingTimeout,
//     engine.io-client's own rule), i.e. after a server stall of about 30 s;
//   - a client that is really gone (its network silent, no FIN) is still noticed within 40 s.
//     (A reconnecting user replaces its stale seat at once, so a slow verdict costs no one a seat.)
// tests/integration/heartbeat-under-load.test.ts holds both stalls at 22 s: more than the old
// pingInterval + pingTimeout, so the old values fail it every time.
export const HEARTBEAT = {
  pingInterval: 10_000,
  pingTimeout: 30_000,
} as const;
