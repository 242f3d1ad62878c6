// A <video> for one track. For a remote consumer, reports its on-screen width as a simulcast
// layer preference (consumer:setLayers) whenever it changes — but only once the first frame is
// shown: the server starts every consumer on the lowest layer, whose key frame is a few packets
// and arrives fastest; the layer that fits the view follows.
import { useEffect, useRef, type ReactNode } from 'react';
import { chooseSpatialLayer } from '../live/layers.js';
import type { LessonSession } from '../live/LessonSession.js';

export interface VideoViewProps {
  track: MediaStreamTrack | null | undefined;
  /** Remote consumer id: enables layer selection. */
  consumerId?: string;
  live?: LessonSession;
  fit?: 'cover' | 'contain';
  mirror?: boolean;
  className?: string;
  placeholder?: ReactNode;
  children?: ReactNode;
  testId?: string;
}

export function VideoView({ track, consumerId, live, fit = 'cover', mirror, className, placeholder, children, testId }: VideoViewProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    const v = videoRef.current;
    if (!v) return;
    if (track) {
      v.srcObject = new MediaStream([track]);
      v.play().catch(() => undefined); // muted video may always autoplay
    } else {
      v.srcObject = null;
    }
    return () => {
      if (v.srcObject) v.srcObject = null;
    };
  }, [track]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box || !consumerId || !live) return;
    const video = videoRef.current;
    let shown = !!video && video.readyState >= video.HAVE_CURRENT_DATA;
    const report = () => {
      if (shown) live.actions.setLayers(consumerId, chooseSpatialLayer(box.clientWidth));
    };
    const onFirstFrame = () => {
      shown = true;
      report();
    };
    video?.addEventListener('loadeddata', onFirstFrame, { once: true });
    report();
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(report);
    ro?.observe(box);
    return () => {
      video?.removeEventListener('loadeddata', onFirstFrame);
      ro?.disconnect();
    };
  }, [consumerId, live]);

  return (
    <div ref={boxRef} className={`video-box ${className ?? ''}`} data-testid={testId}>
      <video
        ref={videoRef}
        autoPlay
        playsInline
        muted
        className={`video fit-${fit}${mirror ? ' mirror' : ''}${track ? '' : ' hidden'}`}
      />
      {!track && <div className="video-placeholder">{placeholder}</div>}
      {children}
    </div>
  );
}
