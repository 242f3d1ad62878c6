// zod for the recordings routes' params (nothing from a URL reaches the file system unparsed).
import { z } from 'zod';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'bad id');
export const lessonParam = z.object({ lessonId: id });
export const retryParam = z.object({ lessonId: id, key: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'bad job key') });
export const trackFileParam = z.object({
  lessonId: id,
  trackId: id,
  file: z.string().regex(/^(index\.m3u8|seg-\d{5}\.ts|track\.webm)$/, 'no such file'),
});
export const compositeFileParam = z.object({ lessonId: id, file: z.string().regex(/^(index\.m3u8|win-\d{5}\.ts)$/, 'no such file') });
export const assetParam = z.object({ lessonId: id, asset: z.enum(['composite.mp4', 'thumbs.jpg', 'peaks.json']) });
export const downloadQuery = z.object({ download: z.enum(['0', '1']).optional() }).passthrough();
