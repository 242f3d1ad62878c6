// 课堂回放: the composite or any single track (e.g. only rural classroom B's microphone), on
// one lesson clock with chapters from the event log, chat replayed in sync, who-spoke-when
// lanes, keyboard shortcuts, speed and the MP4 download. Research panels plug in (panels.ts).
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { ReplayInfo, ReplayTrack } from '../../../server/contract/recordings.js';
import { api } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { Link } from '../router.js';
import { canPlayWebm, HlsVideo } from './HlsVideo.js';
import { replayPanels, timelineMarkerSources, type TimelineMarker } from './panels.js';
import { PlayerContext, SPEEDS, formatClock, useMediaClock } from './usePlayer.js';
import { useWatchBeat } from '../workspace/mentors/useWatchBeat.js';
import './replay.css';

type Source = 'composite' | string;

export function ReplayPage({ lessonId }: { lessonId: string }) {
  const { t } = useI18n();
  const [info, setInfo] = useState<ReplayInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [source, setSource] = useState<Source>('composite');
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [tab, setTab] = useState<string>('chapters');

  const load = useCallback(
    () =>
      api<{ replay: ReplayInfo }>('GET', `/api/recordings/${encodeURIComponent(lessonId)}`)
        .then((r) => setInfo(r.replay))
        .catch((e: Error) => setError(e.message)),
    [lessonId],
  );
  useEffect(() => {
    void load();
  }, [load]);
  // Until everything is processed the page refreshes what it knows (new segments, the MP4).
  const finished = !!info && info.progress.compositeReady && info.progress.playbackReady && !!info.peaksUrl;
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [finished, load]);

  const track = info?.tracks.find((x) => x.id === source) ?? null;
  const durationS = (info?.progress.lengthMs ?? 0) / 1000;
  const offsetS = track ? track.startMs / 1000 : 0;
  const player = useMediaClock(video, offsetS, durationS);
  // 师徒结对 counts watching a recording: the played time is reported while it plays.
  useWatchBeat(lessonId, video);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
      const step = e.shiftKey ? 30 : 5;
      const i = SPEEDS.indexOf(player.rate as (typeof SPEEDS)[number]);
      if (e.key === ' ' || e.key === 'k') player.toggle();
      else if (e.key === 'ArrowLeft' || e.key === 'j') player.seek(player.currentTime - step);
      else if (e.key === 'ArrowRight' || e.key === 'l') player.seek(player.currentTime + step);
      else if (e.key === '[' || e.key === '<' || e.key === '-') player.setRate(SPEEDS[Math.max(0, i - 1)]);
      else if (e.key === ']' || e.key === '>' || e.key === '=' || e.key === '+') player.setRate(SPEEDS[Math.min(SPEEDS.length - 1, i + 1)]);
      else if (e.key === '0' || e.key === 'Home') player.seek(0);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [player]);

  if (error) return <div className="page-message" data-testid="replay-error">{error}</div>;
  if (!info) return <div className="page-message">{t('app.loading')}</div>;

  const classroomName = (id: string | null) => info.classrooms.find((c) => c.id === id)?.name ?? '';
  const compositeSrc = info.composite.mp4Url ?? info.composite.playlistUrl;
  // A track's joined WebM (as recorded: VP8/Opus) once it exists — it is there seconds after the
  // lesson; before that, or in a browser without WebM, its HLS transcode.
  const trackFile = track?.fileUrl && canPlayWebm(track.kind) ? track.fileUrl : null;
  const src = track ? (trackFile ?? track.playlistUrl) : compositeSrc;
  const isHls = track ? !trackFile : !info.composite.mp4Url;
  const nowMs = player.currentTime * 1000;

  return (
    <PlayerContext.Provider value={player}>
      <div className="replay" data-testid="replay-page">
        <div className="replay-head">
          <Link to="/recordings">← {t('recordings.title')}</Link>
          <h2>{info.progress.title}</h2>
          <label>
            {t('replay.source')}{' '}
            <Choice
              data-testid="replay-source"
              value={source}
              options={[['composite', t('replay.composite')], ...info.tracks.map((x) => [x.id, trackName(x, t, classroomName(x.classroomId))] as const)]}
              onChange={setSource}
            />
          </label>
          {info.composite.downloadUrl ? (
            <a className="button" data-testid="replay-download" href={info.composite.downloadUrl} download>
              {t('replay.download')}
            </a>
          ) : (
            <span className="muted" data-testid="replay-download-pending">{t('replay.downloadPending')}</span>
          )}
        </div>
        <div className="replay-main">
          <div className="replay-stage">
            <div className={track?.kind === 'audio' ? 'replay-video audio-only' : 'replay-video'}>
              <HlsVideo key={src} ref={setVideo} src={src} hls={isHls} testId="replay-video" />
              {track?.kind === 'audio' && <div className="audio-label">🔊 {trackName(track, t, classroomName(track.classroomId))}</div>}
            </div>
            <Timeline info={info} nowMs={nowMs} onSeek={(s) => player.seek(s)} />
            <div className="replay-controls">
              <button data-testid="replay-play" onClick={player.toggle}>
                {player.playing ? t('replay.pause') : t('replay.play')}
              </button>
              <span data-testid="replay-time">
                {formatClock(player.currentTime)} / {formatClock(durationS)}
              </span>
              <label>
                {t('replay.speed')}{' '}
                <Choice data-testid="replay-speed" value={player.rate} options={SPEEDS.map((s) => [s, `${s}×`])} onChange={(v) => player.setRate(Number(v))} />
              </label>
              <span className="muted replay-keys">{t('replay.keys')}</span>
            </div>
          </div>
          <aside className="replay-side" data-testid="replay-side">
            <div className="tabs">
              {[
                { id: 'chapters', title: 'replay.chapters' as MessageKey },
                { id: 'chat', title: 'replay.chat' as MessageKey },
                ...replayPanels.map((p) => ({ id: p.id, title: p.title })),
              ].map((x) => (
                <button key={x.id} className={tab === x.id ? 'tab active' : 'tab'} data-testid={`replay-tab-${x.id}`} onClick={() => setTab(x.id)}>
                  {t(x.title)}
                </button>
              ))}
            </div>
            {tab === 'chapters' && (
              <ol className="chapters" data-testid="replay-chapters">
                {info.chapters.map((c, i) => (
                  <li key={i} className={c.atMs <= nowMs ? 'past' : ''}>
                    <button className="link" onClick={() => player.seek(c.atMs / 1000)}>
                      <span className="at">{formatClock(c.atMs / 1000)}</span> {chapterLabel(c.type, t)} {classroomName(c.classroomId)}
                    </button>
                  </li>
                ))}
              </ol>
            )}
            {tab === 'chat' && <ChatReplay info={info} nowMs={nowMs} />}
            {replayPanels.filter((p) => p.id === tab).map((p) => <div key={p.id}>{p.render({ lessonId, replay: info })}</div>)}
          </aside>
        </div>
      </div>
    </PlayerContext.Provider>
  );
}

function trackName(x: ReplayTrack, t: (k: MessageKey) => string, classroom: string): string {
  const who = x.owner === 'teacher' ? t('replay.teacher') : classroom || x.label;
  return `${who} · ${t(`replay.source.${x.source}` as MessageKey)}`;
}

function chapterLabel(type: string, t: (k: MessageKey) => string): string {
  const key = `replay.event.${type}` as MessageKey;
  const s = t(key);
  return s === key ? type : s;
}

function ChatReplay({ info, nowMs }: { info: ReplayInfo; nowMs: number }) {
  const { t } = useI18n();
  const shown = info.chat.filter((m) => m.atMs <= nowMs);
  const end = useRef<HTMLLIElement | null>(null);
  // Braces: newer Chromium returns a Promise from scrollIntoView, which React would take for a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [shown.length]);
  return (
    <ul className="chat-replay" data-testid="replay-chat">
      {shown.length === 0 && <li className="muted">{t('replay.chatEmpty')}</li>}
      {shown.map((m, i) => (
        <li key={i} ref={i === shown.length - 1 ? end : undefined}>
          <span className="at">{formatClock(m.atMs / 1000)}</span> <b>{m.userName}</b> {m.text}
        </li>
      ))}
    </ul>
  );
}

/** Scrubber: progress, chapter ticks, who-spoke lanes, markers from panels, thumbnail on hover. */
function Timeline({ info, nowMs, onSeek }: { info: ReplayInfo; nowMs: number; onSeek: (s: number) => void }) {
  const { t } = useI18n();
  const total = Math.max(1, info.progress.lengthMs);
  const [hover, setHover] = useState<number | null>(null);
  const pct = (ms: number) => `${Math.max(0, Math.min(100, (ms / total) * 100))}%`;
  const at = (e: MouseEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return ((e.clientX - r.left) / r.width) * total;
  };
  const markers: TimelineMarker[] = useMemo(() => timelineMarkerSources.flatMap((f) => f(info)), [info]);
  const lanes = useMemo(() => [...new Set(markers.map((m) => m.lane ?? ''))], [markers]);
  const th = info.thumbnails;
  const thumbIndex = th && hover != null ? Math.min(th.count - 1, Math.floor(hover / 1000 / th.everyS)) : 0;
  return (
    <div className="timeline" data-testid="replay-timeline">
      <div
        className="scrub"
        onClick={(e) => onSeek(at(e) / 1000)}
        onMouseMove={(e) => setHover(at(e))}
        onMouseLeave={() => setHover(null)}
      >
        <div className="played" style={{ width: pct(nowMs) }} />
        {info.chapters.map((c, i) => (
          <div key={i} className={`tick tick-${c.type.replace(':', '-')}`} style={{ left: pct(c.atMs) }} title={c.type} />
        ))}
        {hover != null && th && (
          <div className="thumb" style={{ left: pct(hover) }}>
            <div
              style={{
                width: th.width,
                height: th.height,
                backgroundImage: `url(${th.url})`,
                backgroundPosition: `-${(thumbIndex % th.columns) * th.width}px -${Math.floor(thumbIndex / th.columns) * th.height}px`,
              }}
            />
            <span>{formatClock(hover / 1000)}</span>
          </div>
        )}
      </div>
      {info.peaksUrl && <Waveform url={info.peaksUrl} totalMs={total} nowMs={nowMs} onSeek={onSeek} />}
      {info.voiceActivity.map((v) => (
        <div key={v.trackId} className="lane" title={t('replay.speaking')}>
          <span className="lane-name">{v.speaker === 'teacher' ? t('replay.teacher') : info.classrooms.find((c) => c.id === v.classroomId)?.name}</span>
          <div className="lane-bar">
            {v.segments.map(([a, b], i) => (
              <div key={i} className={`span ${v.speaker}`} style={{ left: pct(a), width: pct(b - a) }} />
            ))}
          </div>
        </div>
      ))}
      {lanes.map((lane) => (
        <div key={lane} className="lane markers" data-testid={`replay-lane-${lane || 'markers'}`}>
          <span className="lane-name">{lane}</span>
          <div className="lane-bar">
            {markers
              .filter((m) => (m.lane ?? '') === lane)
              .map((m, i) => (
                <div
                  key={i}
                  className={m.endMs ? 'span' : 'tick'}
                  title={m.label}
                  onClick={() => onSeek(m.atMs / 1000)}
                  style={{ left: pct(m.atMs), width: m.endMs ? pct(m.endMs - m.atMs) : undefined, background: m.color }}
                />
              ))}
          </div>
        </div>
      ))}
    </div>
  );
}

/** The composite's audio peaks (the mix of every microphone) as a waveform under the scrubber. */
function Waveform({ url, totalMs, nowMs, onSeek }: { url: string; totalMs: number; nowMs: number; onSeek: (s: number) => void }) {
  const [peaks, setPeaks] = useState<{ perSecond: number; peaks: number[] } | null>(null);
  useEffect(() => {
    let alive = true;
    void fetch(url, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((j) => alive && setPeaks(j as { perSecond: number; peaks: number[] } | null))
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [url]);
  const path = useMemo(() => {
    if (!peaks?.peaks.length) return '';
    // At most ~600 columns: each the loudest of its bucket.
    const n = Math.min(600, peaks.peaks.length);
    const per = peaks.peaks.length / n;
    let d = '';
    for (let i = 0; i < n; i++) {
      let m = 0;
      for (let j = Math.floor(i * per); j < Math.floor((i + 1) * per); j++) m = Math.max(m, peaks.peaks[j]);
      const h = Math.max(0.5, m * 20);
      d += `M${i} ${20 - h}V${20 + h}`;
    }
    return d;
  }, [peaks]);
  if (!path || !peaks) return null;
  const n = Math.min(600, peaks.peaks.length);
  return (
    <svg
      className="waveform"
      data-testid="replay-waveform"
      viewBox={`0 0 ${n} 40`}
      preserveAspectRatio="none"
      onClick={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        onSeek((((e.clientX - r.left) / r.width) * totalMs) / 1000);
      }}
    >
      <path d={path} stroke="#7aa89a" strokeWidth={0.8} vectorEffect="non-scaling-stroke" />
      <line x1={(nowMs / Math.max(1, totalMs)) * n} x2={(nowMs / Math.max(1, totalMs)) * n} y1={0} y2={40} stroke="#1f7a5c" strokeWidth={2} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
