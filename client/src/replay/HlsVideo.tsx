// A <video> that plays an HLS playlist (hls.js; Chromium has no native HLS) or a plain file.
import Hls from 'hls.js';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

/** Whether this browser plays a recorded track's WebM (VP8 video / Opus audio) in a plain <video>. */
export function canPlayWebm(kind: 'audio' | 'video'): boolean {
  const v = document.createElement('video');
  return v.canPlayType(kind === 'audio' ? 'audio/webm; codecs="opus"' : 'video/webm; codecs="vp8"') !== '';
}

export const HlsVideo = forwardRef<HTMLVideoElement | null, { src: string; hls: boolean; className?: string; testId?: string }>(
  function HlsVideo({ src, hls, className, testId }, ref) {
    const el = useRef<HTMLVideoElement | null>(null);
    useImperativeHandle(ref, () => el.current as HTMLVideoElement, []);
    useEffect(() => {
      const video = el.current;
      if (!video) return;
      if (!hls) {
        video.src = src;
        return () => {
          video.removeAttribute('src');
          video.load();
        };
      }
      if (video.canPlayType('application/vnd.apple.mpegurl') && !Hls.isSupported()) {
        video.src = src;
        return () => video.removeAttribute('src');
      }
      const h = new Hls({ xhrSetup: (xhr) => {
        xhr.withCredentials = true;
      }, enableWorker: true });
      h.loadSource(src);
      h.attachMedia(video);
      return () => h.destroy();
    }, [src, hls]);
    return <video ref={el} className={className} data-testid={testId} playsInline preload="auto" />;
  },
);
