// Which simulcast spatial layer a video view needs, from its on-screen width (CSS px).
// The teacher camera is sent as 3 layers (¼, ½, full of 1280x720).

export const LAYER_THRESHOLDS = { high: 720, mid: 320 } as const;

export function chooseSpatialLayer(widthPx: number): 0 | 1 | 2 {
  if (!Number.isFinite(widthPx) || widthPx <= 0) return 0;
  if (widthPx >= LAYER_THRESHOLDS.high) return 2;
  if (widthPx >= LAYER_THRESHOLDS.mid) return 1;
  return 0;
}
