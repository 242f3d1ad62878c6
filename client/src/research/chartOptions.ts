// ECharts options for the classroom-analysis charts (pure: data in, option out).
import type { EChartsCoreOption } from 'echarts';
import type { LessonAnalysis } from '../../../server/contract/research.js';

const RED = '#d64541';
const BLUE = '#2678b2';
const GREY = '#c8c8c8';

export interface ChartLabels {
  teacher: string;
  student: string;
  silence: string;
  practice: string;
  lecture: string;
  dialogue: string;
  mixed: string;
}

/** S-T curve: x = cumulative T time, y = cumulative S time (minutes), equal scales. */
export function stCurveOption(curves: Array<{ name: string; curve: Array<[number, number]>; intervalS: number }>): EChartsCoreOption {
  const max = Math.max(1, ...curves.flatMap((c) => c.curve.flatMap(([t, s]) => [t, s].map((v) => (v * c.intervalS) / 60))));
  return {
    animation: false,
    tooltip: { trigger: 'item' },
    legend: curves.length > 1 ? { top: 0 } : undefined,
    grid: { left: 48, right: 16, top: curves.length > 1 ? 32 : 16, bottom: 40 },
    xAxis: { type: 'value', name: 'T (min)', min: 0, max: Math.ceil(max), nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: 'S (min)', min: 0, max: Math.ceil(max) },
    series: [
      ...curves.map((c, i) => ({
        name: c.name,
        type: 'line',
        step: false,
        symbol: 'none',
        lineStyle: { width: 2, color: i === 0 ? RED : BLUE },
        data: c.curve.map(([t, s]) => [(t * c.intervalS) / 60, (s * c.intervalS) / 60]),
      })),
      { type: 'line', silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: GREY }, data: [[0, 0], [Math.ceil(max), Math.ceil(max)]] },
    ],
  };
}

/** Rt–Ch diagram with the four type regions and one point per lesson. */
export function rtChOption(points: Array<{ name: string; rt: number; ch: number }>, l: ChartLabels): EChartsCoreOption {
  const area = (name: string, x0: number, x1: number, y0: number, y1: number, color: string) => [
    { name, xAxis: x0, yAxis: y0, itemStyle: { color }, label: { position: 'inside', color: '#555' } },
    { xAxis: x1, yAxis: y1 },
  ];
  return {
    animation: false,
    tooltip: { trigger: 'item', formatter: (p: { data: [number, number]; seriesName: string }) => `${p.seriesName}<br/>Rt ${p.data[0].toFixed(2)} · Ch ${p.data[1].toFixed(2)}` },
    grid: { left: 48, right: 16, top: 16, bottom: 40 },
    xAxis: { type: 'value', name: 'Rt', min: 0, max: 1, nameLocation: 'middle', nameGap: 24 },
    yAxis: { type: 'value', name: 'Ch', min: 0, max: 1 },
    series: [
      {
        type: 'scatter',
        silent: true,
        data: [],
        markArea: {
          silent: true,
          data: [
            area(l.practice, 0, 0.3, 0, 1, 'rgba(80,160,80,0.12)'),
            area(l.lecture, 0.7, 1, 0, 1, 'rgba(214,69,65,0.12)'),
            area(l.dialogue, 0.3, 0.7, 0.4, 1, 'rgba(38,120,178,0.12)'),
            area(l.mixed, 0.3, 0.7, 0, 0.4, 'rgba(200,170,60,0.12)'),
          ],
        },
      },
      ...points.map((p, i) => ({ name: p.name, type: 'scatter', symbolSize: 14, itemStyle: { color: i === 0 ? RED : BLUE }, data: [[p.rt, Math.min(1, p.ch)]] })),
    ],
  };
}

type RenderApi = { value(i: number): number; coord(v: [number, number]): [number, number]; size(v: [number, number]): [number, number]; style(): object };

/** A bar from value(1) to value(2) minutes in row value(0), `top`–`top + height` of the row's band (fractions). */
const spanBar = (top: number, height: number) => (_p: unknown, api: RenderApi) => {
  const row = api.value(0);
  const start = api.coord([api.value(1), row]);
  const end = api.coord([api.value(2), row]);
  const band = api.size([0, 1])[1];
  return { type: 'rect', shape: { x: start[0], y: start[1] - band / 2 + band * top, width: Math.max(1, end[0] - start[0]), height: band * height }, style: api.style() };
};

/**
 * Speech spans per track on the lesson clock, one row per track: the attributed speech (what the
 * figures use) as the bar, the raw voice activity as a faint thin bar under it, so what attribution
 * removed as leakage shows as faint bar without a solid one above it.
 */
export function talkTimelineOption(
  a: LessonAnalysis,
  trackName: (t: LessonAnalysis['tracks'][number]) => string,
  l: { attributed: string; raw: string },
): EChartsCoreOption {
  const rows = a.tracks.map(trackName);
  const color = (t: LessonAnalysis['tracks'][number]) => (t.speaker === 'teacher' ? RED : BLUE);
  const spans = (pick: 'segments' | 'raw') =>
    a.tracks.flatMap((t, row) => (t[pick] ?? []).map(([s, e]) => ({ value: [row, s / 60000, e / 60000], itemStyle: { color: color(t), opacity: pick === 'raw' ? 0.3 : 1 } })));
  return {
    animation: false,
    legend: { top: 0, data: [l.attributed, l.raw], itemStyle: { color: GREY } },
    grid: { left: 120, right: 16, top: 28, bottom: 32 },
    xAxis: { type: 'value', min: 0, max: Math.max(1, a.durationMs / 60000), name: 'min', nameLocation: 'end' },
    yAxis: { type: 'category', data: rows, inverse: true },
    series: [
      { name: l.attributed, type: 'custom', renderItem: spanBar(0.15, 0.45), encode: { x: [1, 2], y: 0 }, itemStyle: { color: RED }, data: spans('segments') },
      { name: l.raw, type: 'custom', renderItem: spanBar(0.65, 0.2), encode: { x: [1, 2], y: 0 }, itemStyle: { color: BLUE, opacity: 0.3 }, data: spans('raw') },
    ],
  };
}

/** Per classroom: seconds of speech, and the share of 3-s cells it held the floor. */
export function classroomBarsOption(a: LessonAnalysis, label: { speech: string }): EChartsCoreOption {
  const names = a.talk.classrooms.map((c) => a.classroomNames[c.classroomId] ?? c.classroomId);
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 140, right: 24, top: 8, bottom: 32 },
    xAxis: { type: 'value', name: label.speech },
    yAxis: { type: 'category', data: names },
    series: [{ type: 'bar', data: a.talk.classrooms.map((c) => Math.round(c.speechS)), itemStyle: { color: BLUE }, label: { show: true, position: 'right' } }],
  };
}

/** Teacher / student / silence shares on the 3-s grid. */
export function talkSharesOption(a: LessonAnalysis, l: ChartLabels): EChartsCoreOption {
  return {
    animation: false,
    tooltip: { trigger: 'item', formatter: '{b}: {d}%' },
    series: [
      {
        type: 'pie',
        radius: ['45%', '70%'],
        label: { formatter: '{b} {d}%' },
        data: [
          { name: l.teacher, value: a.talk.teacherPct, itemStyle: { color: RED } },
          { name: l.student, value: a.talk.studentPct, itemStyle: { color: BLUE } },
          { name: l.silence, value: a.talk.silencePct, itemStyle: { color: GREY } },
        ],
      },
    ],
  };
}
