import { PassThrough } from 'node:stream';
import express from 'express';
import request from 'supertest';
import { createLogger } from '..';
import { requestContext } from '../../middlewares/request-context';

function devLogger() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger('svc', { pretty: true, level: 'info', destination: out });
  return { logger, output: () => text };
}

describe('development log lines', () => {
  it('writes one line per request: method, path, status, duration and request id', async () => {
    const { logger, output } = devLogger();
    const app = express();
    app.use(requestContext(logger));
    app.get('/api/things/:id', (_req, res) => void res.status(201).json({}));
    await request(app).get('/api/things/42?x=1').set('X-Request-Id', 'req-abc').expect(201);
    const lines = output().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*: GET \/api\/things\/42\?x=1 201 [\d.]+ms \(req=req-abc\)$/);
  });

  it('keeps the request id on every line of a request, and prints an error with its stack below', async () => {
    const { logger, output } = devLogger();
    const child = logger.child({ reqId: 'r-1', traceId: 't-1' });
    child.info({ orderId: 'o1' }, 'order placed');
    child.error({ err: new Error('boom') }, 'it failed');
    const lines = output().trimEnd().split('\n');
    expect(lines[0]).toMatch(/order placed \(req=r-1 trace=t-1\).*orderId.*o1/);
    expect(lines[1]).toMatch(/it failed \(req=r-1 trace=t-1\)/);
    expect(lines.length).toBeGreaterThan(2);
    expect(output()).toMatch(/Error: boom\n\s+at /);
  });

  it('gives a silent logger no pretty stream: creating many adds no listeners to stdout', () => {
    const before = process.stdout.listenerCount('close') + process.stdout.listenerCount('error');
    for (let i = 0; i < 12; i++) createLogger(`svc-${i}`, { pretty: true, level: 'silent' });
    expect(process.stdout.listenerCount('close') + process.stdout.listenerCount('error')).toBe(before);
  });
});
