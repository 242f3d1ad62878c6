#!/usr/bin/env bash
# mediasoup repeats a key-frame request (PLI/FIR) that brought no key frame after 1 s. Chromium
# ignores a key-frame request that comes within 300 ms of the last one it honoured, so a browser
# whose request lands just after somebody else's (another classroom joining, a layer switch)
# waits a whole second for its first picture. Repeat after 500 ms instead: past that 300 ms, and
# still long enough for the first packet of a key frame to cross a weak rural uplink, so a
# request is not repeated while its key frame is on the way. Measured by tests/bench/join-time.
set -euo pipefail
f="$1/src/RTC/KeyFrameRequestManager.cpp"
sed -i 's/KeyFrameRetransmissionWaitTime{ 1000 }/KeyFrameRetransmissionWaitTime{ 500 }/' "$f"
grep -q 'KeyFrameRetransmissionWaitTime{ 500 }' "$f" || { echo "key-frame retry patch did not apply to $f" >&2; exit 1; }
