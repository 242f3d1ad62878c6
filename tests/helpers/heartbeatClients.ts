// A browser's worth of Socket.IO clients in a process of their own (a browser does not share the
// server's event loop): each cookie opens `per` live-lesson sockets (the browser's own options,
// client/src/live/socketOptions.ts) and one /plans.io socket (the plan editor's options), and every
// connect and disconnect is reported as a JSON line on stdout. Ends on stdin EOF.
//   TONGBU_HB_URL=http://… TONGBU_HB_COOKIES='["tongbu_session=…"]' TONGBU_HB_PER=2 node --import tsx tests/helpers/heartbeatClients.ts
import { io } from 'socket.io-client';
import { LIVE_SOCKET_OPTIONS } from '../../client/src/live/socketOptions.js';
import { PLAN_SOCKET_PATH } from '../../server/contract/planEvents.js';

const url = process.env.TONGBU_HB_URL!;
const cookies = JSON.parse(process.env.TONGBU_HB_COOKIES ?? '[]') as string[];
const per = Number(process.env.TONGBU_HB_PER ?? '1');
const say = (o: object) => process.stdout.write(`${JSON.stringify({ ...o, at: Date.now() })}\n`);

const sockets: ReturnType<typeof io>[] = [];
cookies.forEach((cookie, u) => {
  const open = (name: string, opts: object) => {
    const s = io(url, { ...opts, forceNew: true, extraHeaders: { cookie } });
    s.on('connect', () => say({ ev: 'connect', name }));
    s.on('disconnect', (reason) => say({ ev: 'disconnect', name, reason }));
    s.on('connect_error', (err) => say({ ev: 'connect_error', name, reason: err.message }));
    sockets.push(s);
    s.connect();
  };
  for (let i = 0; i < per; i++) open(`live-${u}-${i}`, LIVE_SOCKET_OPTIONS);
  open(`plan-${u}`, { path: PLAN_SOCKET_PATH, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 3000, autoConnect: false });
});

process.stdin.resume();
process.stdin.on('end', () => {
  for (const s of sockets) s.disconnect();
  process.exit(0);
});
