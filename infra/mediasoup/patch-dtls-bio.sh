#!/usr/bin/env bash
# Fixes mediasoup 3.13.x DtlsTransport::onSslBioOut: OpenSSL calls the BIO callback with
# operationType|BIO_CB_RETURN after an operation, so `operationType == BIO_CB_RETURN` is
# never true and the callback answers 1 to every BIO_ctrl. Debian's OpenSSL asks the BIO
# about KTLS through BIO_ctrl, takes the 1 as "yes" and the worker segfaults on the first
# DTLS handshake. Tested by tests/integration/dtls-handshake (a real browser handshake).
set -euo pipefail
f="$1/src/RTC/DtlsTransport.cpp"
if grep -q '(operationType == BIO_CB_RETURN)' "$f"; then
  sed -i 's/(operationType == BIO_CB_RETURN)/(operationType \& BIO_CB_RETURN)/' "$f"
fi
grep -q '(operationType & BIO_CB_RETURN)' "$f" || { echo "DTLS BIO patch did not apply to $f" >&2; exit 1; }
