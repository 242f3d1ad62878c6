// The replay page's one clock: whichever media element is showing (the composite, or a single
// track that starts `offsetS` into the lesson) drives it, and everything on the page —
// chapters, chat, annotation panels, timeline markers — reads and seeks in lesson seconds.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

export interface Player {
  /** Seconds on the lesson clock. */
  currentTime: number;
  /** The lesson's length in seconds. */
  duration: number;
  playing: boolean;
  rate: number;
  seek(lessonS: number): void;
  play(): void;
  pause(): void;
  toggle(): void;
  setRate(rate: number): void;
}

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;

export const PlayerContext = createContext<Player | null>(null);

/** For anything inside the replay page (e.g. research annotation panels). */
export function usePlayer(): Player {
  const p = useContext(PlayerContext);
  if (!p) throw new Error('usePlayer outside the replay page');
  return p;
}

/**
 * Binds a media element to the lesson clock. `offsetS` = where the element's time 0 lies on
 * the lesson clock. Keeps the lesson time across a change of element (switching source).
 */
export function useMediaClock(el: HTMLMediaElement | null, offsetS: number, durationS: number): Player {
  const [currentTime, setCurrentTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [rate, setRateState] = useState(1);
  const wanted = useRef(0);
  const rateRef = useRef(1);

  useEffect(() => {
    if (!el) return;
    const restore = () => {
      el.playbackRate = rateRef.current;
      const t = Math.max(0, wanted.current - offsetS);
      if (Math.abs(el.currentTime - t) > 0.3) el.currentTime = t;
    };
    const onTime = () => {
      const t = el.currentTime + offsetS;
      wanted.current = t;
      setCurrentTime(t);
    };
    const onPlay = () => setPlaying(true);
    const onPause = () => setPlaying(false);
    el.addEventListener('loadedmetadata', restore);
    el.addEventListener('timeupdate', onTime);
    el.addEventListener('seeking', onTime);
    el.addEventListener('play', onPlay);
    el.addEventListener('pause', onPause);
    el.addEventListener('ended', onPause);
    if (el.readyState >= 1) restore();
    setPlaying(!el.paused);
    return () => {
      el.removeEventListener('loadedmetadata', restore);
      el.removeEventListener('timeupdate', onTime);
      el.removeEventListener('seeking', onTime);
      el.removeEventListener('play', onPlay);
      el.removeEventListener('pause', onPause);
      el.removeEventListener('ended', onPause);
    };
  }, [el, offsetS]);

  const seek = useCallback(
    (s: number) => {
      const t = Math.max(0, Math.min(durationS || Infinity, s));
      wanted.current = t;
      setCurrentTime(t);
      if (el) el.currentTime = Math.max(0, t - offsetS);
    },
    [el, offsetS, durationS],
  );
  const play = useCallback(() => void el?.play().catch(() => undefined), [el]);
  const pause = useCallback(() => el?.pause(), [el]);
  const setRate = useCallback(
    (r: number) => {
      rateRef.current = r;
      setRateState(r);
      if (el) el.playbackRate = r;
    },
    [el],
  );
  return useMemo(
    () => ({
      currentTime,
      duration: durationS,
      playing,
      rate,
      seek,
      play,
      pause,
      toggle: () => (el && !el.paused ? pause() : play()),
      setRate,
    }),
    [currentTime, durationS, playing, rate, seek, play, pause, setRate, el],
  );
}

export function formatClock(s: number): string {
  const t = Math.max(0, Math.floor(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
