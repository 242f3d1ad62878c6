// UDP ports for recorder processes: pairs (RTP even, RTCP odd) from a range kept outside
// mediasoup's, so a recorder never races a WebRTC transport for a port.
import { readFile } from 'node:fs/promises';

export class PortPool {
  private used = new Set<number>();
  private next: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    if (max - min < 1) throw new Error(`recorder port range ${min}-${max} is too small`);
    this.next = min + (min % 2);
  }

  /** An even RTP port whose pair is free here and not bound by anyone on this machine. */
  async take(): Promise<number> {
    const bound = await boundUdpPorts();
    const span = this.max - this.min + 1;
    for (let i = 0; i < span; i += 2) {
      const p = this.next;
      this.next = p + 2 > this.max - 1 ? this.min + (this.min % 2) : p + 2;
      if (this.used.has(p) || bound.has(p) || bound.has(p + 1)) continue;
      this.used.add(p);
      return p;
    }
    throw new Error('no free recorder port');
  }

  release(port: number): void {
    this.used.delete(port);
  }
}

/** Local UDP ports bound on this machine (Linux /proc; empty elsewhere). */
export async function boundUdpPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(f, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':').pop();
      if (hex) ports.add(parseInt(hex, 16));
    }
  }
  return ports;
}
