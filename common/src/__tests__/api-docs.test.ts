import request from 'supertest';
import { createApp, createLogger, json, openApiDocument } from '..';

const document = openApiDocument({
  title: 'jetmart example',
  description: 'an example',
  paths: { '/api/example': { get: { responses: { '200': { description: 'ok', content: json({ type: 'object' }) } } } } },
});
const app = createApp({
  logger: createLogger('example', { level: 'silent' }),
  jwtKey: 'k',
  jwtTtlSeconds: 60,
  isReady: () => true,
  routers: [],
  apiDocs: { path: '/api/example/docs', document },
});

it('serves the OpenAPI document as JSON beside Swagger UI', async () => {
  const res = await request(app).get('/api/example/docs/openapi.json').expect(200);
  expect(res.body).toEqual(document);
});

it('serves Swagger UI at the docs path, with its scripts loadable under the same CSP', async () => {
  const first = await request(app).get('/api/example/docs');
  // Relative asset URLs need the trailing slash: the bare path redirects to it.
  const page = first.status === 301 || first.status === 302 ? await request(app).get(first.headers.location).expect(200) : first;
  expect(page.status).toBe(200);
  expect(page.text).toContain('swagger-ui');
  expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  const scripts = [...page.text.matchAll(/<script src="\.\/([^"]+)"/g)].map((m) => m[1]);
  expect(scripts).toEqual(expect.arrayContaining(['swagger-ui-bundle.js', 'swagger-ui-init.js']));
  // No inline scripts (the CSP would block them).
  expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
  const init = await request(app).get('/api/example/docs/swagger-ui-init.js').expect(200);
  expect(init.text).toContain('jetmart example');
  await request(app).get('/api/example/docs/swagger-ui-bundle.js').expect(200);
});
