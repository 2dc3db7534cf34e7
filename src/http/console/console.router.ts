import express, { type Request, type Response, Router } from 'express';
import { join } from 'node:path';
import type { ModuleRouter } from '../../shared/http-toolkit/module-router';
import { registerConsoleOpenApi } from './console.openapi';

/** Where the page's files are: beside this module in src/, copied beside its build in dist/ (scripts/copy-console.mjs). */
const assets = join(__dirname, 'assets');
const mermaidBundle = require.resolve('mermaid/dist/mermaid.min.js');

/**
 * Nothing is loaded from outside the service (an operator's network may reach nothing else); the
 * diagrams' SVG carries inline styles.
 */
const contentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:";

/** The operator's console (CONTRACT §6): one page, two views, live through the event streams. */
export const consoleRouter = (): ModuleRouter => {
  const router = Router();
  const page = (_request: Request, response: Response) => {
    response.setHeader('Content-Security-Policy', contentSecurityPolicy);
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(join(assets, 'console.html'));
  };
  router.get('/console', page);
  router.get('/console/orders/:orderId', page);
  // Files, not API routes: mounted with `use`, so the OpenAPI document leaves them out.
  router.use('/console/assets/mermaid.min.js', (request: Request, response: Response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    response.setHeader('Cache-Control', 'public, max-age=86400');
    response.sendFile(mermaidBundle);
  });
  router.use('/console/assets', express.static(assets, { index: false, fallthrough: true, setHeaders: (response) => response.setHeader('Cache-Control', 'no-cache') }));

  return { name: 'console', router, registerOpenApi: registerConsoleOpenApi };
};
