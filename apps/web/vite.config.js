// The web client: `npm run build:web` writes apps/web/dist, which the gateway serves at `/`.
// `npx vite apps/web` runs it with hot reload against a gateway on VITE_GATEWAY
// (default http://127.0.0.1:3000), proxying the API and Socket.IO to it.
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

const gateway = process.env.VITE_GATEWAY ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  // The workspace libraries are used from their TypeScript sources, as everywhere else.
  resolve: { conditions: ['@octave/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': gateway,
      '/realtime': { target: gateway, ws: true },
    },
  },
});
