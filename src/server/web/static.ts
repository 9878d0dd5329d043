import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import { packageRoot } from '../../packageRoot.js';

/** Where `npm run build` puts the bundled web UI (scripts/build-ui.mjs). */
export function uiRoot(): string {
  return join(packageRoot(), 'dist', 'ui');
}

// Only our own bundled script and styles run: a spec or comment that slipped past escaping still cannot
// execute. connect-src 'self' covers the same-origin WebSocket.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The team web UI at /: static files with a strict Content-Security-Policy, no CDN. */
export function serveUi(root = uiRoot()): Router {
  const ui = express.Router();
  ui.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    next();
  });
  if (!existsSync(join(root, 'index.html'))) {
    ui.get('/', (_req, res) => {
      res.type('text/plain').send('mlops-mcp is running (MCP endpoint: /mcp), but its web UI is not built: run `npm run build`.\n');
    });
    return ui;
  }
  ui.use(express.static(root, { index: 'index.html', fallthrough: true, maxAge: 0, etag: true }));
  return ui;
}
