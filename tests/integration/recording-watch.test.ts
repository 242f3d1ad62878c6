// recording:watch on the real Socket.IO server: a socket follows only the recordings its user
// may see (the rest are dropped from the ack and get no room), and recording:progress pushed
// to a lesson's room reaches exactly those sockets.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordingRoom } from '../../server/recordings/socket.js';
import { startLiveServer, type LiveTestServer } from '../helpers/liveServer.js';
import type { RecordingProgress } from '../../server/contract/recordings.js';

let srv: LiveTestServer;
beforeAll(async () => {
  srv = await startLiveServer({});
  await srv.db.query(`insert into recordings (lesson_id, state, clock_zero) values ($1, 'stopped', now())`, [srv.lessonId]);
});
afterAll(async () => {
  await srv?.close();
});

it('follows only visible recordings and receives their progress', async () => {
  const researcher = await srv.connect(await srv.cookieFor('researcher-zhao'), 'researcher');
  const device = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'projector');
  try {
    expect(await researcher.ok('recording:watch', { lessonIds: [srv.lessonId, 'no-such-lesson'] })).toEqual({ lessonIds: [srv.lessonId] });
    // Pupils' projectors never get recordings, whatever the scope.
    await srv.db.query(`update recordings set visibility = 'community' where lesson_id = $1`, [srv.lessonId]);
    expect(await device.ok('recording:watch', { lessonIds: [srv.lessonId] })).toEqual({ lessonIds: [] });
    expect(await researcher.errorCode('recording:watch', { lessonIds: 'x' as never })).toBe('BAD_REQUEST');

    const p = { lessonId: srv.lessonId, percent: 42 } as RecordingProgress;
    const since = researcher.mark();
    srv.web.live.io.to(recordingRoom(srv.lessonId)).emit('recording:progress', p);
    expect(await researcher.waitEvent<RecordingProgress>('recording:progress', () => true, 5_000, since)).toMatchObject({ percent: 42 });
    // Following nothing leaves the room.
    expect(await researcher.ok('recording:watch', { lessonIds: [] })).toEqual({ lessonIds: [] });
    const after = researcher.mark();
    srv.web.live.io.to(recordingRoom(srv.lessonId)).emit('recording:progress', { ...p, percent: 43 });
    await new Promise((r) => setTimeout(r, 300));
    expect(researcher.events('recording:progress').length).toBe(1);
    expect(researcher.mark()).toBe(after);
    expect(device.events('recording:progress')).toEqual([]);
  } finally {
    researcher.close();
    device.close();
  }
});
