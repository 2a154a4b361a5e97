// Builds the page (web/build.ts calls this on demand). `npx vite web/app` serves it with hot
// reload, sending /api to a running `freshet web` (FRESHET_WEB_URL, default http://127.0.0.1:8300).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  // not 'assets': that is a page route (/assets/:name)
  build: { assetsDir: 'static', chunkSizeWarningLimit: 1_000, sourcemap: false },
  server: { proxy: { '/api': process.env.FRESHET_WEB_URL ?? 'http://127.0.0.1:8300' } },
});
