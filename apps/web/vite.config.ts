import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `vite` (npm run dev) proxies like src/server.ts does, to the services' default ports
// unless REGISTRY_URL / SERVING_URL / MONITOR_URL say otherwise.
const target = (name: string, fallback: string) => process.env[name] ?? fallback;
const proxy = (prefix: string, url: string) => ({
  target: url,
  changeOrigin: true,
  rewrite: (p: string) => p.slice(prefix.length),
});

export default defineConfig({
  plugins: [react()],
  // Assets under dist/public, the bundled server at dist/server.js: the server never serves itself.
  build: { outDir: 'dist/public', emptyOutDir: true, sourcemap: true },
  server: {
    port: Number(process.env.WEB_PORT ?? 7603),
    proxy: {
      '/registry': proxy('/registry', target('REGISTRY_URL', 'http://127.0.0.1:7600')),
      '/serving': proxy('/serving', target('SERVING_URL', 'http://127.0.0.1:7601')),
      '/monitor': proxy('/monitor', target('MONITOR_URL', 'http://127.0.0.1:7602')),
    },
  },
});
