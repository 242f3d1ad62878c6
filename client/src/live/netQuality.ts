// Network quality from WebRTC stats: inbound-rtp packet loss (over the last interval) and the
// selected candidate pair's round-trip time. Pure functions, fed by getStats() every 2 s.

export type NetQuality = 'good' | 'fair' | 'poor';

export interface NetSample {
  /** Sum over inbound-rtp reports. */
  packetsReceived: number;
  packetsLost: number;
  /** Seconds, from the nominated/selected candidate pair; null when unknown. */
  rttSeconds: number | null;
}

export const NET_THRESHOLDS = {
  goodLoss: 0.02,
  poorLoss: 0.08,
  goodRttMs: 200,
  poorRttMs: 500,
} as const;

/** Loss fraction between two samples (0..1); null when no packets flowed. Counter resets count as no data. */
export function lossBetween(prev: NetSample | null, cur: NetSample): number | null {
  const recv = cur.packetsReceived - (prev?.packetsReceived ?? 0);
  const lost = cur.packetsLost - (prev?.packetsLost ?? 0);
  if (recv < 0 || lost < 0) return null;
  const total = recv + Math.max(0, lost);
  if (total <= 0) return null;
  return Math.max(0, lost) / total;
}

export function classifyNetQuality(loss: number | null, rttMs: number | null): NetQuality {
  const l = loss ?? 0;
  const r = rttMs ?? 0;
  if (l >= NET_THRESHOLDS.poorLoss || r >= NET_THRESHOLDS.poorRttMs) return 'poor';
  if (l >= NET_THRESHOLDS.goodLoss || r >= NET_THRESHOLDS.goodRttMs) return 'fair';
  return 'good';
}

/** Reduce an RTCStatsReport-like iterable of stats to a NetSample. */
export function sampleFromStats(reports: Iterable<Record<string, unknown>>): NetSample {
  let packetsReceived = 0;
  let packetsLost = 0;
  let rttSeconds: number | null = null;
  const pairs: Record<string, unknown>[] = [];
  let selectedPairId: string | null = null;
  for (const r of reports) {
    if (r.type === 'inbound-rtp') {
      packetsReceived += num(r.packetsReceived);
      packetsLost += num(r.packetsLost);
    } else if (r.type === 'candidate-pair') {
      pairs.push(r);
    } else if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') {
      selectedPairId = r.selectedCandidatePairId;
    }
  }
  const pair =
    (selectedPairId && pairs.find((p) => p.id === selectedPairId)) ||
    pairs.find((p) => p.nominated === true && p.state === 'succeeded') ||
    pairs.find((p) => p.state === 'succeeded');
  if (pair && typeof pair.currentRoundTripTime === 'number') rttSeconds = pair.currentRoundTripTime;
  return { packetsReceived, packetsLost, rttSeconds };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
