// recording:pause / recording:resume — the teacher's, and only the teacher's.
import { AppError } from '../../contract/errors.js';
import type { SocketSession } from '../session.js';

export function registerRecordingHandlers(s: SocketSession): void {
  const service = () => {
    const r = s.deps.recordings;
    if (!r) throw new AppError('CONFLICT', 'recording is not available on this server');
    return r;
  };

  s.edge.on('recording:pause', async () => {
    const { live } = s.requireTeacher();
    return service().pause(live, s.user.id);
  });

  s.edge.on('recording:resume', async () => {
    const { live } = s.requireTeacher();
    return service().resume(live, s.user.id);
  });
}
