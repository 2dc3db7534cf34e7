import { Router } from 'express';
import { notFound } from '../shared/http-toolkit/problem';
import { problemCatalog } from '../shared/http-toolkit/problem-catalog';

const escape = (text: string): string => text.replace(/[&<>"]/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[char]};`);
const code = (text: string): string => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

/** `/problems/<slug>`: what each problem `type` means, as a short page (JSON to a client that asks for it). */
export const problemsRouter = (): Router => {
  const router = Router();
  router.get('/problems/:slug', (request, response) => {
    const slug = request.params.slug ?? '';
    const info = Object.hasOwn(problemCatalog, slug) ? problemCatalog[slug] : undefined;
    if (info === undefined) throw notFound(`problem type ${slug}`);
    if (request.accepts(['html', 'json']) === 'json') {
      response.json({ type: `/problems/${slug}`, ...info });
      return;
    }
    response
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)}: ${slug}</title></head>` +
          `<body><h1>${info.status} ${escape(info.title)}</h1><p><code>/problems/${slug}</code></p><p>${code(info.description)}</p>` +
          `<p>Answered as <code>application/problem+json</code> (RFC 9457); <code>instance</code> is the path of the request it answers. ` +
          `<a href="/api/docs">API documentation</a></p></body></html>`,
      );
  });
  return router;
};
