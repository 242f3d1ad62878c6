// Vite config for the web client. Run from the repository root:
//   npx vite build --config client/vite.config.ts   → dist/client
//   npx vite --config client/vite.config.ts         → dev server, proxying the API to :3000
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));
const backend = process.env.TONGBU_BACKEND ?? 'http://localhost:3000';

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../dist/client'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/socket.io': { target: backend, ws: true, changeOrigin: false },
      '/plans.io': { target: backend, ws: true, changeOrigin: false },
    },
  },
});
