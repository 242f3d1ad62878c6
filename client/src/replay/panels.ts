// Extension points of the replay page. Another feature (teaching research) adds a side panel
// or timeline markers by appending here; panels read the clock with usePlayer().
import type { ReactNode } from 'react';
import type { ReplayInfo } from '../../../server/contract/recordings.js';
import type { MessageKey } from '../i18n/index.js';

export interface ReplayPanelProps {
  lessonId: string;
  replay: ReplayInfo;
}

export interface ReplayPanel {
  id: string;
  title: MessageKey;
  render(props: ReplayPanelProps): ReactNode;
}

export interface TimelineMarker {
  /** Lesson-clock ms; with endMs it is a span. */
  atMs: number;
  endMs?: number;
  label: string;
  /** CSS colour. */
  color?: string;
  /** Which row of the timeline (markers of one source share a row). */
  lane?: string;
}

/** Side panels shown in tabs beside chat and chapters. */
export const replayPanels: ReplayPanel[] = [];

/** Functions that turn the replay info into markers drawn over the scrubber. */
export const timelineMarkerSources: ((replay: ReplayInfo) => TimelineMarker[])[] = [];
