import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `npm run dev`: the reference server's one app module is mounted as middleware, so the app and
 * the API share one origin exactly as under `npm start`.
 */
function referenceServer(): Plugin {
  return {
    name: 'facematch-reference-server',
    apply: 'serve',
    async configureServer(server) {
      const { createNodeHandler, isApiPath } = (await server.ssrLoadModule('/server/app.ts')) as typeof import('./server/app.ts');
      const handler = await createNodeHandler();
      server.middlewares.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        if (req.url && isApiPath(req.url)) void handler(req, res);
        else next();
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), tailwindcss(), referenceServer()],
  build: {
    target: 'es2022',
    sourcemap: false,
    // Everything the page loads before the user acts goes into one chunk: modules that lazy chunks
    // share with the entry would otherwise become small chunks of their own, each costing a request
    // and its own gzip dictionary.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: 'app', tags: ['$initial'] }] } } },
  },
  worker: { format: 'es' },
  server: { port: 5173 },
});
