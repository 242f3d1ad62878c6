// ICE servers handed to browsers: a TURN relay (coturn) for classrooms behind strict NAT,
// with short-lived credentials derived from a shared secret (coturn's use-auth-secret).
import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** `turn`: the configured relay (TONGBU_TURN_URL, TONGBU_TURN_SECRET in server/config.ts), or none. */
export function iceServersFrom(turn: { url: string; secret: string } | null | undefined): () => IceServer[] {
  if (!turn) return () => [];
  const { url, secret } = turn;
  return () => {
    const username = `${Math.floor(Date.now() / 1000) + 12 * 3600}:tongbu`;
    const credential = createHmac('sha1', secret).update(username).digest('base64');
    return [{ urls: url.split(','), username, credential }];
  };
}
