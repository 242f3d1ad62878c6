// The replay page's watch heartbeat (师徒结对 counts watching a recording): while the video plays,
// every 30 s it reports the seconds played since the last report (WatchMeter). The server credits
// no more than the wall clock since the previous beat, so these beats are a claim it checks.
import { useEffect } from 'react';
import { WATCH_BEAT_S } from '../../../../server/contract/workspace/mentors.js';
import { mentorsApi } from './mentorsApi.js';
import { WatchMeter } from './watchMeter.js';

const STOPS = ['pause', 'ended', 'waiting', 'emptied'] as const;

export function useWatchBeat(lessonId: string, video: HTMLVideoElement | null): void {
  useEffect(() => {
    if (!video) return;
    // Beats are best effort: a lost one is time not counted, never an error for the viewer.
    const meter = new WatchMeter((seconds) => void mentorsApi.watchBeat(lessonId, seconds).catch(() => undefined));
    const timer = setInterval(() => meter.tick(), WATCH_BEAT_S * 1000);
    const onPlay = () => meter.play();
    const onStop = () => meter.stop();
    video.addEventListener('playing', onPlay);
    for (const e of STOPS) video.addEventListener(e, onStop);
    if (!video.paused && !video.ended) meter.play();
    return () => {
      meter.stop();
      clearInterval(timer);
      video.removeEventListener('playing', onPlay);
      for (const e of STOPS) video.removeEventListener(e, onStop);
    };
  }, [lessonId, video]);
}
