// Plays every remote audio consumer through its own <audio autoplay> element. Our own mic is never
// played back. If the browser refuses autoplay, a big "点击开启声音" button unlocks it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsumerInfo } from '../live/MediaSession.js';
import { useT } from '../i18n/index.js';
import { Icon } from './Icon.js';

export function AudioSink({ consumers, selfPeerId, large }: { consumers: ConsumerInfo[]; selfPeerId: string | null; large?: boolean }) {
  const t = useT();
  const [blocked, setBlocked] = useState(false);
  const elements = useRef(new Map<string, HTMLAudioElement>());
  const audio = consumers.filter((c) => c.kind === 'audio' && c.peerId !== selfPeerId);

  const onBlocked = useCallback(() => setBlocked(true), []);

  const unlock = () => {
    const plays = [...elements.current.values()].map((el) => el.play());
    Promise.all(plays).then(
      () => setBlocked(false),
      () => setBlocked(true),
    );
    setBlocked(false);
  };

  return (
    <>
      {audio.map((c) => (
        <AudioTrack
          key={c.consumerId}
          track={c.track}
          onBlocked={onBlocked}
          register={(el) => {
            if (el) elements.current.set(c.consumerId, el);
            else elements.current.delete(c.consumerId);
          }}
        />
      ))}
      {blocked && (
        <button className={`audio-unlock${large ? ' large' : ''}`} data-testid="audio-unlock" onClick={unlock}>
          <Icon name="sound" /> {t('live.audioUnlock')}
        </button>
      )}
    </>
  );
}

function AudioTrack({
  track,
  onBlocked,
  register,
}: {
  track: MediaStreamTrack;
  onBlocked: () => void;
  register: (el: HTMLAudioElement | null) => void;
}) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    register(el);
    el.srcObject = new MediaStream([track]);
    el.play().catch((e: Error) => {
      if (e.name === 'NotAllowedError') onBlocked();
    });
    return () => {
      register(null);
      el.srcObject = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [track]);
  return <audio ref={ref} autoPlay data-testid="remote-audio" />;
}
