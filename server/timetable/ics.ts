// iCalendar (RFC 5545) written by hand: CRLF line ends, lines folded at 75 octets without
// splitting a UTF-8 character, TEXT values escaped, times in TZID=Asia/Shanghai with its VTIMEZONE.
import { SCHOOL_TZ, schoolDayOf } from './time.js';

export interface IcsEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
  url?: string;
  /** DTSTAMP: for a published feed, when this copy was generated (RFC 5546 §2.1.5 semantics). */
  stamp: Date;
  cancelled?: boolean;
}

export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds one content line: at most 75 octets per physical line, continuation lines start with a space. */
export function foldLine(line: string): string {
  // Most lines (DTSTART, UID, STATUS…) need no folding: one byte count, not one per character.
  // (A feed holds up to 1000 lessons: per-character counting cost ~200 ms of the event loop.)
  if (line.length <= 75 && Buffer.byteLength(line, 'utf8') <= 75) return line;
  const out: string[] = [];
  let cur = '';
  let curBytes = 0;
  let limit = 75;
  for (const ch of line) {
    const n = utf8Bytes(ch.codePointAt(0)!);
    if (curBytes + n > limit) {
      out.push(cur);
      cur = '';
      curBytes = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    cur += ch;
    curBytes += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

/** UTF-8 length of one code point (a lone surrogate is written as U+FFFD: 3 bytes, as Buffer does). */
const utf8Bytes = (cp: number) => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);

const pad = (n: number) => String(n).padStart(2, '0');

export function utcStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** Local Shanghai time as DATE-TIME form 2 (with TZID). */
export function localStamp(d: Date): string {
  const { day, min } = schoolDayOf(d);
  return `${day.replace(/-/g, '')}T${pad(Math.floor(min / 60))}${pad(min % 60)}${pad(d.getUTCSeconds())}`;
}

const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${SCHOOL_TZ}`,
  'BEGIN:STANDARD',
  'DTSTART:19910915T000000',
  'TZOFFSETFROM:+0800',
  'TZOFFSETTO:+0800',
  'TZNAME:CST',
  'END:STANDARD',
  'END:VTIMEZONE',
];

export function buildCalendar(opts: { name: string; events: IcsEvent[] }): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Tongbu//同步课堂 大课表//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    `X-WR-TIMEZONE:${SCHOOL_TZ}`,
    ...VTIMEZONE,
  ];
  for (const e of opts.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTAMP:${utcStamp(e.stamp)}`,
      `DTSTART;TZID=${SCHOOL_TZ}:${localStamp(e.start)}`,
      `DTEND;TZID=${SCHOOL_TZ}:${localStamp(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      `LOCATION:${escapeText(e.location)}`,
      `DESCRIPTION:${escapeText(e.description)}`,
      ...(e.url ? [`URL:${e.url}`] : []),
      `STATUS:${e.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
