// This PC's camera, microphone and shared screen for one lesson view. The tracks outlive
// media sessions (a rejoin publishes the same tracks again) and are shown from the store
// (localCamera / localMic / localScreen); they stop when the view leaves or the lesson ends.
import type { MediaSource } from '../../../server/contract/domain.js';
import { tr } from '../i18n/index.js';
import { toast } from '../toast.js';
import type { LessonStore } from './LessonStore.js';

export type CaptureMode = 'teacher' | 'classroom';

const CAMERA_CONSTRAINTS: Record<CaptureMode, MediaTrackConstraints> = {
  teacher: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } },
  classroom: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 20, max: 25 } },
};
// Echo cancellation and noise suppression on; the browser's automatic gain control off. A
// classroom's microphone hears the room from metres away: in every pause AGC raises the room's
// murmur, the fan and the echo canceller's residue of the far side towards speech level
// (measured in Chromium: murmur at −48 dBFS raised by ~20 dB within seconds, the teacher's
// residue brought up to the teacher's own level). The far side hears that as pumping noise, and
// the recording loses what tells a room's own voice from another room's leaking into it (a copy
// is quieter than its source: docs/research.md, attribution). Level is set once per PC, at the
// microphone's system gain, as for any room microphone.
const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: false };
const SCREEN_CONSTRAINTS: MediaTrackConstraints = { frameRate: { ideal: 15, max: 15 } };

export class LocalDevices {
  private acquiring: Promise<void> | null = null;
  private warned = new Set<string>();
  private closed = false;

  /** `onEnded`: a track ended by itself (unplugged, sharing stopped): its producer should go. */
  constructor(
    private readonly store: LessonStore,
    private readonly onEnded: (source: MediaSource) => void,
  ) {}

  /** Camera and mic, each asked for once at a time and again only when it is not live. */
  ensure(mode: CaptureMode): Promise<void> {
    this.acquiring ??= this.acquire(mode).finally(() => {
      this.acquiring = null;
    });
    return this.acquiring;
  }

  private async acquire(mode: CaptureMode): Promise<void> {
    const md = navigator.mediaDevices;
    if (!md?.getUserMedia) return;
    if (!isLive(this.store.state.localCamera)) {
      try {
        const stream = await md.getUserMedia({ video: CAMERA_CONSTRAINTS[mode], audio: false });
        const track = stream.getVideoTracks()[0] ?? null;
        if (track) {
          // The teacher's camera is simulcast: under CPU overuse a 'motion' track keeps its frame
          // rate and scales its resolution down, which switches simulcast layers off and on; every
          // switch-down leaves the recording and each projector without a picture until the lower
          // layer's next key frame (1.3–2.2 s on a busy machine, every ~15 s). 'detail' keeps the
          // resolution (the blackboard stays readable) and lowers the frame rate instead. A
          // classroom's single stream changes resolution seamlessly, so it keeps its motion.
          track.contentHint = mode === 'teacher' ? 'detail' : 'motion';
          track.addEventListener('ended', () => this.trackEnded('camera', track));
        }
        this.keep('localCamera', track);
      } catch (e) {
        this.warnOnce('camera', tr('live.cameraError', { msg: (e as Error).message || (e as Error).name }));
      }
    }
    if (!isLive(this.store.state.localMic)) {
      try {
        const stream = await md.getUserMedia({ audio: MIC_CONSTRAINTS, video: false });
        const track = stream.getAudioTracks()[0] ?? null;
        track?.addEventListener('ended', () => this.trackEnded('mic', track));
        this.keep('localMic', track);
      } catch (e) {
        this.warnOnce('mic', tr('live.micError', { msg: (e as Error).message || (e as Error).name }));
      }
    }
  }

  /** Asks to share a screen: the track (also in the store), or null when refused or failed. */
  async shareScreen(): Promise<MediaStreamTrack | null> {
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: SCREEN_CONSTRAINTS, audio: false });
      track = stream.getVideoTracks()[0];
    } catch (e) {
      if ((e as Error).name !== 'NotAllowedError' && (e as Error).name !== 'AbortError') {
        toast.error(tr('live.screenError', { msg: (e as Error).message }));
      }
      return null;
    }
    if (!track) return null;
    if (this.closed) {
      track.stop();
      return null;
    }
    track.contentHint = 'detail';
    const t = track;
    t.addEventListener('ended', () => {
      if (this.store.state.localScreen !== t) return;
      this.stopScreen();
      this.onEnded('screen');
    });
    this.store.set({ localScreen: t });
    return t;
  }

  stopScreen(): void {
    this.store.state.localScreen?.stop();
    this.store.set({ localScreen: null });
  }

  /** Stops every track; one that arrives later is stopped at once. */
  close(): void {
    this.closed = true;
    const { localCamera, localMic, localScreen } = this.store.state;
    for (const t of [localCamera, localMic, localScreen]) t?.stop();
    this.store.set({ localCamera: null, localMic: null, localScreen: null });
  }

  private keep(key: 'localCamera' | 'localMic', track: MediaStreamTrack | null): void {
    if (this.closed) track?.stop();
    else this.store.set({ [key]: track });
  }

  private trackEnded(kind: 'camera' | 'mic', track: MediaStreamTrack): void {
    if (this.closed) return;
    const key = kind === 'camera' ? 'localCamera' : 'localMic';
    if (this.store.state[key] !== track) return;
    this.store.set({ [key]: null });
    toast.error(tr('live.trackEnded', { what: tr(kind === 'camera' ? 'live.camera' : 'live.mic') }));
    this.onEnded(kind);
  }

  private warnOnce(key: string, text: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    toast.error(text);
  }
}

function isLive(t: MediaStreamTrack | null): boolean {
  return !!t && t.readyState === 'live';
}
