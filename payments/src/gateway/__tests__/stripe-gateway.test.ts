import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@jetmart/common/testing';
import { startStripeMock, type StripeMock } from '../../__tests__/support/stripe-mock';
import { GatewayUnavailableError, type ChargeRequest } from '../payment-gateway';
import { StripeGateway } from '../stripe-gateway';

const request = (over: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amountMinor: 2500,
  currency: 'usd',
  token: 'tok_visa',
  idempotencyKey: 'jetmart-order-abc-attempt-1',
  description: 'jetmart order abc',
  metadata: { orderId: 'abc' },
  ...over,
});

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server on a free port; `answer` decides each response (a recording proxy or a canned reply). */
async function listen(
  answer: (seen: Seen, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

describe('StripeGateway against stripe-mock', () => {
  let mock: StripeMock;
  beforeAll(async () => {
    mock = await startStripeMock();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('creates a charge for the token and amount', async () => {
    const gateway = new StripeGateway({
      secretKey: 'sk_test_123',
      host: mock.host,
      port: mock.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const result = await gateway.charge(request());
    expect(result).toEqual({ outcome: 'succeeded', chargeId: expect.stringMatching(/^ch_/) });
  });

  it('sends the attempt idempotency key and the charge parameters to Stripe', async () => {
    // A recording pass-through in front of stripe-mock: what the SDK really sends on the wire.
    const proxy = await listen((seen, res) => {
      const up = httpRequest({ host: mock.host, port: mock.port, path: seen.url, method: seen.method, headers: seen.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.end(seen.body);
    });
    try {
      const gateway = new StripeGateway({
        secretKey: 'sk_test_123',
        host: '127.0.0.1',
        port: proxy.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      expect((await gateway.charge(request())).outcome).toBe('succeeded');
      expect(proxy.seen).toHaveLength(1);
      const [call] = proxy.seen;
      expect(call.url).toBe('/v1/charges');
      expect(call.headers['idempotency-key']).toBe('jetmart-order-abc-attempt-1');
      const params = new URLSearchParams(call.body);
      expect(params.get('amount')).toBe('2500');
      expect(params.get('currency')).toBe('usd');
      expect(params.get('source')).toBe('tok_visa');
      expect(params.get('metadata[orderId]')).toBe('abc');
    } finally {
      proxy.server.close();
    }
  });

  it('refunds a charge through stripe-mock', async () => {
    const gateway = new StripeGateway({
      secretKey: 'sk_test_123',
      host: mock.host,
      port: mock.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const { refundId } = await gateway.refund({
      chargeId: 'ch_123',
      amountMinor: 2500,
      idempotencyKey: 'jetmart-refund-order-cancelled-abc',
    });
    expect(refundId).toMatch(/^re_/);
  });

  it('sends a partial refund with its amount and the refund idempotency key', async () => {
    const proxy = await listen((seen, res) => {
      const up = httpRequest({ host: mock.host, port: mock.port, path: seen.url, method: seen.method, headers: seen.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.end(seen.body);
    });
    try {
      const gateway = new StripeGateway({
        secretKey: 'sk_test_123',
        host: '127.0.0.1',
        port: proxy.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const { refundId } = await gateway.refund({ chargeId: 'ch_123', amountMinor: 750, idempotencyKey: 'jetmart-refund-return-r1' });
      expect(refundId).toMatch(/^re_/);
      expect(proxy.seen).toHaveLength(1);
      expect(proxy.seen[0].url).toBe('/v1/refunds');
      expect(proxy.seen[0].headers['idempotency-key']).toBe('jetmart-refund-return-r1');
      const params = new URLSearchParams(proxy.seen[0].body);
      expect(params.get('charge')).toBe('ch_123');
      expect(params.get('amount')).toBe('750');
    } finally {
      proxy.server.close();
    }
  });
});

// stripe-mock always approves, so Stripe's error answers are served by a stub with the exact JSON
// Stripe returns; the real SDK parses them, which is the mapping under test.
describe('StripeGateway error mapping (Stripe error bodies from a stub server)', () => {
  const stripeError = (status: number, error: Record<string, string>) =>
    listen((_seen, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test' });
      res.end(JSON.stringify({ error }));
    });

  it('maps a card_error (HTTP 402) to declined with Stripe message', async () => {
    const stub = await stripeError(402, {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    });
    try {
      const gateway = new StripeGateway({
        secretKey: 'sk_test_123',
        host: '127.0.0.1',
        port: stub.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      expect(await gateway.charge(request({ token: 'tok_chargeDeclined' }))).toEqual({
        outcome: 'declined',
        message: 'Your card was declined.',
      });
    } finally {
      stub.server.close();
    }
  });

  it('maps "No such token" (invalid_request_error on source) to invalid_token', async () => {
    const stub = await stripeError(400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'source',
      message: "No such token: 'tok_x'",
    });
    try {
      const gateway = new StripeGateway({
        secretKey: 'sk_test_123',
        host: '127.0.0.1',
        port: stub.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      expect(await gateway.charge(request({ token: 'tok_x' }))).toEqual({ outcome: 'invalid_token', message: "No such token: 'tok_x'" });
    } finally {
      stub.server.close();
    }
  });

  it('treats a Stripe server error as unavailable (money may have moved: retry with the same key)', async () => {
    const stub = await stripeError(500, { type: 'api_error', message: 'Something went wrong' });
    try {
      const gateway = new StripeGateway({
        secretKey: 'sk_test_123',
        host: '127.0.0.1',
        port: stub.port,
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      await expect(gateway.charge(request())).rejects.toBeInstanceOf(GatewayUnavailableError);
    } finally {
      stub.server.close();
    }
  });

  it('treats an unreachable Stripe as unavailable', async () => {
    const gateway = new StripeGateway({
      secretKey: 'sk_test_123',
      host: '127.0.0.1',
      port: await freePort(),
      protocol: 'http',
      maxNetworkRetries: 0,
      timeoutMs: 2000,
    });
    await expect(gateway.charge(request())).rejects.toBeInstanceOf(GatewayUnavailableError);
  });
});
