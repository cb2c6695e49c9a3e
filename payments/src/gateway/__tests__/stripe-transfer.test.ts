import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStripeMock, type StripeMock } from '../../__tests__/support/stripe-mock';
import { GatewayUnavailableError, TransferRefusedError, type TransferRequest } from '../payment-gateway';
import { SandboxGateway } from '../sandbox-gateway';
import { StripeGateway } from '../stripe-gateway';

const transfer = (over: Partial<TransferRequest> = {}): TransferRequest => ({
  amountMinor: 4321,
  currency: 'usd',
  destination: 'acct_1Seller',
  idempotencyKey: 'jetmart-payout-abc',
  metadata: { payoutId: 'abc', sellerId: 's1' },
  ...over,
});

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(answer: (seen: Seen, res: ServerResponse) => void): Promise<{ server: Server; port: number; seen: Seen[] }> {
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

const gatewayOn = (port: number) =>
  new StripeGateway({ secretKey: 'sk_test_123', host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });

describe('StripeGateway.transfer against stripe-mock', () => {
  let mock: StripeMock;
  beforeAll(async () => {
    mock = await startStripeMock();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('creates a transfer to the connected account with the payout idempotency key', async () => {
    // A recording proxy in front of stripe-mock: what the SDK sends, and stripe-mock's real answer.
    const proxy = await listen((seen, res) => {
      const up = httpRequest({ host: mock.host, port: mock.port, path: seen.url, method: seen.method, headers: seen.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.end(seen.body);
    });
    try {
      const { transferId } = await gatewayOn(proxy.port).transfer(transfer());
      expect(transferId).toMatch(/^tr_/);
      expect(proxy.seen).toHaveLength(1);
      expect(proxy.seen[0]).toMatchObject({ method: 'POST', url: '/v1/transfers' });
      expect(proxy.seen[0].headers['idempotency-key']).toBe('jetmart-payout-abc');
      const params = new URLSearchParams(proxy.seen[0].body);
      expect(params.get('amount')).toBe('4321');
      expect(params.get('currency')).toBe('usd');
      expect(params.get('destination')).toBe('acct_1Seller');
      expect(params.get('metadata[payoutId]')).toBe('abc');
    } finally {
      proxy.server.close();
    }
  });
});

describe('StripeGateway.transfer error mapping (Stripe error bodies from a stub server)', () => {
  const stripeError = (status: number, error: Record<string, string>) =>
    listen((_seen, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test' });
      res.end(JSON.stringify({ error }));
    });

  it('an invalid request (no such destination, insufficient platform funds) is a refusal: nothing moved', async () => {
    const stub = await stripeError(400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'destination',
      message: "No such destination: 'acct_x'",
    });
    try {
      const err = await gatewayOn(stub.port)
        .transfer(transfer({ destination: 'acct_x' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransferRefusedError);
      expect((err as Error).message).toBe("No such destination: 'acct_x'");
    } finally {
      stub.server.close();
    }
  });

  it('a server error is "unavailable" (money may have moved: repeat with the same key)', async () => {
    const stub = await stripeError(500, { type: 'api_error', message: 'Something went wrong' });
    try {
      await expect(gatewayOn(stub.port).transfer(transfer())).rejects.toBeInstanceOf(GatewayUnavailableError);
    } finally {
      stub.server.close();
    }
  });
});

describe('SandboxGateway.transfer', () => {
  it('any acct_ id; the same key returns the first transfer; anything else is refused', async () => {
    const sandbox = new SandboxGateway();
    const first = await sandbox.transfer(transfer());
    expect(await sandbox.transfer(transfer())).toEqual(first);
    expect(sandbox.transfers).toHaveLength(1);
    await expect(sandbox.transfer(transfer({ destination: 'ba_1', idempotencyKey: 'other' }))).rejects.toBeInstanceOf(TransferRefusedError);
  });
});
