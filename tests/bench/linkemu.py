#!/usr/bin/env python3
"""A point-to-point link with one-way delay and random loss, between this host and a
network namespace, for tests/bench/rural-link.ts.

This machine's kernel has no sch_netem (only tbf/htb/pfifo), so delay and loss are done
here, in user space: two TUN devices, HOST_DEV in the host's namespace and NS_DEV in the
namespace, and every IP packet read from one is written to the other DELAY_MS later, unless
dropped (probability LOSS_PCT). Rate limiting stays in the kernel: the caller puts a tbf
qdisc on the egress of each TUN device (host→namespace = downlink, namespace→host = uplink),
so a packet is rate-limited (and tail-dropped when tbf's queue is full) before it gets here.

Usage: linkemu.py NETNS HOST_DEV NS_DEV DELAY_MS LOSS_PCT [SEED]
Prints "ready" once both devices exist; the devices vanish when this process exits.
Per-direction counters are printed as JSON on SIGTERM/SIGINT.
"""
import ctypes
import fcntl
import heapq
import json
import os
import random
import select
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main() -> None:
    netns, host_dev, ns_dev, delay_ms, loss_pct = sys.argv[1:6]
    rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    delay = float(delay_ms) / 1000.0
    loss = float(loss_pct) / 100.0

    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    host_fd = open_tun(host_dev)
    if libc.setns(target, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns into " + netns)
    ns_fd = open_tun(ns_dev)  # created inside the namespace
    if libc.setns(home, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")

    # direction name, read from, write to
    dirs = {host_fd: ("down", ns_fd), ns_fd: ("up", host_fd)}
    stats = {d: {"packets": 0, "bytes": 0, "dropped": 0} for d in ("down", "up")}
    queue = []  # (due, seq, out_fd, packet)
    seq = 0
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)

    while not stopping:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out_fd, pkt = heapq.heappop(queue)
            try:
                os.write(out_fd, pkt)
            except OSError:
                pass  # device not up yet / queue full: the packet is lost
        timeout = max(0.0, queue[0][0] - now) if queue else 0.5
        try:
            ready, _, _ = select.select([host_fd, ns_fd], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in ready:
            name, out_fd = dirs[fd]
            while True:
                try:
                    pkt = os.read(fd, 65535)
                except BlockingIOError:
                    break
                except OSError:
                    break
                s = stats[name]
                s["packets"] += 1
                s["bytes"] += len(pkt)
                if rng.random() < loss:
                    s["dropped"] += 1
                    continue
                seq += 1
                heapq.heappush(queue, (now + delay, seq, out_fd, pkt))
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
