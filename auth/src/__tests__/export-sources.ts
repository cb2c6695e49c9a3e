import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { Router } from 'express';
import { createApp, createLogger, requireAuth } from '@jetmart/common';
import { TEST_JWT_KEY } from '@jetmart/common/testing';

const logger = createLogger('export-source', { level: 'silent' });

/**
 * Another service's part of a data export, for auth's tests: a real service app (common's createApp,
 * its session check and requireAuth, the same JWT key) answering `GET /api/<name>/me/export` with
 * `answer(callerId)`. So a test sees that auth forwards the person's own session and that the part
 * is computed for that person on the other side. The real parts are tested in their services and
 * together in e2e (account-erasure.test.ts).
 */
export async function startPartSource(
  name: string,
  answer: (userId: string) => { status?: number; body: unknown },
): Promise<{ url: string; calls: string[]; close: () => Promise<void> }> {
  const calls: string[] = [];
  const router = Router();
  router.get(`/api/${name}/me/export`, requireAuth, (req, res) => {
    calls.push(req.currentUser!.id);
    const { status = 200, body } = answer(req.currentUser!.id);
    res.status(status).json(body);
  });
  const app = createApp({
    logger,
    jwtKey: process.env.JWT_KEY ?? TEST_JWT_KEY,
    jwtTtlSeconds: 3600,
    isReady: () => true,
    routers: [router],
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/${name}/me/export`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A URL nothing listens on (a service that is down). */
export async function deadSourceUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/api/down/me/export`;
}
