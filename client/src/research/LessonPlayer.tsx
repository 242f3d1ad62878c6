// A player on the lesson clock for the research pages: the composite recording when it is
// ready (processing's /api/recordings route), otherwise a clock alone, so notes can still be
// placed while the recording is being processed. Several players can share one clock
// (同课异构: two recordings side by side, playing in sync).
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { ReplayInfo } from '../../../server/contract/recordings.js';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { clockText } from './researchApi.js';

export interface LessonClock {
  currentMs: number;
  playing: boolean;
  durationMs: number;
  play(): void;
  pause(): void;
  seek(ms: number): void;
}

/** A clock that advances in real time while playing; media elements follow it. */
export function useLessonClock(durationMs: number): LessonClock {
  const [currentMs, setCurrent] = useState(0);
  const [playing, setPlaying] = useState(false);
  const base = useRef<{ wall: number; ms: number }>({ wall: 0, ms: 0 });
  useEffect(() => {
    if (!playing) return;
    base.current = { wall: performance.now(), ms: currentMs };
    const id = setInterval(() => {
      const ms = Math.min(durationMs || Infinity, base.current.ms + performance.now() - base.current.wall);
      setCurrent(ms);
      if (durationMs && ms >= durationMs) setPlaying(false);
    }, 200);
    return () => clearInterval(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [playing, durationMs]);
  const seek = useCallback((ms: number) => {
    const v = Math.max(0, Math.min(durationMs || ms, ms));
    base.current = { wall: performance.now(), ms: v };
    setCurrent(v);
  }, [durationMs]);
  return { currentMs, playing, durationMs, play: () => setPlaying(true), pause: () => setPlaying(false), seek };
}

/** The composite MP4 URL of a lesson's recording, if processing has produced it. */
export function useCompositeUrl(lessonId: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    api<{ replay: ReplayInfo }>('GET', `/api/recordings/${encodeURIComponent(lessonId)}`).then(
      (r) => alive && setUrl(r.replay.composite.mp4Url),
      () => alive && setUrl(null),
    );
    return () => {
      alive = false;
    };
  }, [lessonId]);
  return url;
}

/** Keeps a <video> on the clock: seeks when it drifts by more than 0.5 s, plays/pauses with it. */
function useFollow(video: RefObject<HTMLVideoElement | null>, clock: LessonClock) {
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    if (Math.abs(v.currentTime * 1000 - clock.currentMs) > 500) v.currentTime = clock.currentMs / 1000;
    if (clock.playing && v.paused) void v.play().catch(() => undefined);
    if (!clock.playing && !v.paused) v.pause();
  }, [video, clock.currentMs, clock.playing]);
}

export function LessonPlayer({ lessonId, clock, testId }: { lessonId: string; clock: LessonClock; testId?: string }) {
  const { t } = useI18n();
  const url = useCompositeUrl(lessonId);
  const video = useRef<HTMLVideoElement>(null);
  useFollow(video, clock);
  return (
    <div className="rs-player" data-testid={testId ?? 'research-player'}>
      {url ? <video ref={video} src={url} muted={false} playsInline className="rs-video" /> : <div className="rs-nomedia">{t('research.player.noMedia')}</div>}
      <ClockControls clock={clock} />
    </div>
  );
}

export function ClockControls({ clock }: { clock: LessonClock }) {
  const { t } = useI18n();
  return (
    <div className="rs-controls">
      <button type="button" data-testid="player-toggle" onClick={() => (clock.playing ? clock.pause() : clock.play())}>
        {clock.playing ? t('research.player.pause') : t('research.player.play')}
      </button>
      <input
        type="range"
        min={0}
        max={Math.max(1, clock.durationMs)}
        step={1000}
        value={clock.currentMs}
        aria-label={t('research.player.clock')}
        data-testid="player-scrub"
        onChange={(e) => clock.seek(Number(e.target.value))}
      />
      <span className="rs-clock" data-testid="player-clock">
        {clockText(clock.currentMs)} / {clockText(clock.durationMs)}
      </span>
    </div>
  );
}
