// Reading ffmpeg's stderr: which line says what went wrong. Processing runs ffmpeg with
// `-loglevel level+info`, so each line carries its level and the error is found by level
// (ffmpegErrorLine); the recorders log at `warning` without tags, so theirs is found by
// leaving out the stream description (ffmpegError).

/** The last lines worth keeping for a failure log: warnings and errors, not the info chatter. */
export function warningTail(s: string, n = 20): string {
  const lines = s.split('\n').filter((l) => l.trim() && !l.includes('[info]') && !l.includes('[verbose]'));
  return lines.slice(-n).join('\n');
}

const GENERIC = /^(Conversion failed!?|Exiting normally.*|Error while (filtering|processing|decoding|encoding)[^:]*)$/i;
const LEVEL = /\[(error|fatal|panic|warning)\] /;

/**
 * The line that says what went wrong: ffmpeg's first specific error ([error]/[fatal]), with
 * the component kept ("mpegts: …") and the level and pointer tags dropped. A generic
 * "Conversion failed!" only if nothing else was said; a warning, or the last line, only if
 * no error at all was logged (e.g. a level-less ffmpeg). Exported for tests.
 */
export function ffmpegErrorLine(stderr: string): string {
  const parsed = stderr
    .split('\n')
    .map((raw) => {
      const l = raw.trim();
      const m = LEVEL.exec(l);
      const level = m?.[1] ?? null;
      const before = m ? l.slice(0, m.index) : '';
      const text = m ? l.slice(m.index + m[0].length).trim() : l;
      // "[mpegts @ 0x55…] " → "mpegts: "
      const comp = /^\[([\w.-]+) @ 0x[0-9a-f]+\]/.exec(before.trim())?.[1];
      return { level, text: comp ? `${comp}: ${text}` : text, bare: text };
    })
    .filter((l) => l.bare && !l.bare.startsWith('bench:') && !/^(frame|size|progress|out_time|speed|total_size)=/.test(l.bare));
  const errors = parsed.filter((l) => l.level === 'error' || l.level === 'fatal' || l.level === 'panic');
  const pick =
    errors.find((l) => !GENERIC.test(l.bare)) ??
    parsed.find((l) => l.level === 'warning') ??
    errors[0] ??
    parsed.filter((l) => !l.level).find((l) => /invalid|error|corrupt|truncat|no such|could not|failed|EBML|not found/i.test(l.bare) && !/^(Stream|Input|Output) #/.test(l.bare)) ??
    parsed[parsed.length - 1];
  return (pick?.text ?? 'no output').slice(0, 300);
}

/**
 * The lines of ffmpeg's stderr that say what went wrong: its error messages, not the stream
 * description it prints first (`Input #0 …`, `Stream #0:0 …`, `Output #0 …`, metadata).
 */
export function ffmpegError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const noise = /^(Input #|Output #|Stream #|Stream mapping|Metadata:|Duration:|encoder\s*:|Press \[q\]|\[?\w+\s*:)/;
  const meaningful = lines.filter((l) => !noise.test(l) || /error|could not|failed|invalid|cannot|unable|non-monoton/i.test(l));
  return (meaningful.length ? meaningful : lines).slice(-3).join(' | ') || '(no output)';
}
