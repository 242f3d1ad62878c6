// The voice-activity tiers the notes exports (CSV, ELAN .eaf) carry beside the notes: per audio
// track its attributed speech (what the figures use), its raw voice activity (what the microphone
// heard, leaks included) and, when attribution was unsure anywhere, those spans — so a
// researcher can check in ELAN what attribution removed against the recording.
import type { Span } from '../../contract/analysis/timeline.js';
import type { VoiceTrack } from '../../contract/research.js';

export type VoiceTierKind = 'attributed' | 'raw' | 'uncertain';

export interface VoiceTier {
  trackId: string;
  /** Who the track is: 教师 or the classroom's school and name, then the track's own label. */
  track: string;
  kind: VoiceTierKind;
  spans: Span[];
}

export const VOICE_TIER_LABEL: Record<VoiceTierKind, string> = { attributed: '归属发言', raw: '原始语音', uncertain: '归属不确定' };

export function voiceTiers(tracks: VoiceTrack[], classroomNames: Record<string, string>): VoiceTier[] {
  return tracks.flatMap((t) => {
    const who = t.speaker === 'teacher' ? '教师' : (classroomNames[t.classroomId ?? ''] ?? '教室');
    const track = t.label && t.label !== t.speaker ? `${who} ${t.label}` : who;
    const tiers: VoiceTier[] = [
      { trackId: t.trackId, track, kind: 'attributed', spans: t.segments },
      { trackId: t.trackId, track, kind: 'raw', spans: t.raw },
    ];
    if (t.uncertain.length) tiers.push({ trackId: t.trackId, track, kind: 'uncertain', spans: t.uncertain });
    return tiers;
  });
}
