// Response headers for every answer of the web role (helmet): a CSP that fits the Vite build,
// no framing (clickjacking of the teacher console), no MIME sniffing of uploaded-then-served
// files, no referrer leaking lesson URLs to other sites.
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        // Vite emits module scripts only; no inline script anywhere.
        'script-src': ["'self'"],
        // TipTap injects its editor CSS as a <style> element; React sets style attributes.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        // hls.js plays from a MediaSource (blob:) and transmuxes in a blob: worker.
        'media-src': ["'self'", 'blob:'],
        'worker-src': ["'self'", 'blob:'],
        // 'self' covers ws:/wss: to the same host (CSP 3) for both Socket.IO servers.
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // No upgrade-insecure-requests: a school LAN server is often plain http.
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    // Served over plain http on a LAN as often as not: HSTS would do nothing or lock a school out.
    strictTransportSecurity: false,
  });
}
