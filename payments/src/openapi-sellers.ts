import { commonErrors, errorResponse, json, ref, sessionSecurity } from '@jetmart/common';
import { COMMISSION_LIMITS } from '@jetmart/common/contracts';

/**
 * The sellers' money part of the payments API (ledger, payout account, payouts, the platform's
 * commission), merged into paymentsApiDocument (openapi.ts) and checked by
 * __tests__/openapi-contract-sellers.test.ts.
 */
const signedMoney = { type: 'number', multipleOf: 0.01 };
const unverified = errorResponse('Signed in, but the email address is not verified yet');

export const sellersApiSchemas = {
  LedgerEntry: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'kind', 'orderId', 'productId', 'gross', 'commission', 'net', 'commissionPercent', 'createdAt', 'availableAt'],
    properties: {
      id: {
        type: 'string',
        minLength: 1,
        description: 'The stable key: `sale-<paymentId>-<line>`, `refund-<refundId>-<line>`, `payout-<payoutId>`',
      },
      kind: { type: 'string', enum: ['sale', 'refund', 'payout'] },
      orderId: { type: ['string', 'null'] },
      productId: { type: ['string', 'null'] },
      gross: { ...signedMoney, description: 'Signed: sales positive, refunds and payouts negative; gross = net + commission' },
      commission: signedMoney,
      net: signedMoney,
      commissionPercent: { type: 'integer', minimum: 0, maximum: 100 },
      createdAt: { type: 'string', format: 'date-time' },
      availableAt: {
        type: ['string', 'null'],
        format: 'date-time',
        description: "When the entry's money became available; null while pending",
      },
    },
  },
  LedgerBalance: {
    type: 'object',
    additionalProperties: false,
    required: ['pending', 'available', 'paidOut'],
    properties: {
      pending: { ...signedMoney, description: 'Parts not yet delivered or inside their return window' },
      available: { ...signedMoney, description: 'What a payout moves now; negative when a refund arrived after release' },
      paidOut: { type: 'number', minimum: 0, multipleOf: 0.01 },
    },
  },
  SellerAccount: {
    type: 'object',
    additionalProperties: false,
    required: ['stripeAccountId'],
    properties: { stripeAccountId: { type: ['string', 'null'], pattern: '^acct_[A-Za-z0-9]{1,64}$' } },
  },
  Payout: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'amount', 'status', 'transferId', 'createdAt'],
    properties: {
      id: { type: 'string', minLength: 1 },
      amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
      status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
      transferId: { type: ['string', 'null'], description: 'The processor transfer (Stripe `tr_…`) once sent' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
};

export const sellersApiPaths = {
  '/api/sellers/me/ledger': {
    get: {
      summary: "The caller's seller ledger, newest first, with the balance",
      tags: ['sellers'],
      security: sessionSecurity,
      parameters: [{ name: 'cursor', in: 'query', required: false, schema: { type: 'string', maxLength: 400 } }],
      responses: {
        '200': {
          description: 'The balance and one page of entries (50)',
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['balance', 'entries', 'nextCursor'],
            properties: {
              balance: ref('LedgerBalance'),
              entries: { type: 'array', items: ref('LedgerEntry') },
              nextCursor: { type: ['string', 'null'] },
            },
          }),
        },
        '400': errorResponse('cursor is not valid'),
        '401': commonErrors.unauthorized,
      },
    },
  },
  '/api/sellers/me/account': {
    get: {
      summary: "Where the caller's payouts go",
      tags: ['sellers'],
      security: sessionSecurity,
      responses: {
        '200': { description: 'The connected account, or null', content: json(ref('SellerAccount')) },
        '401': commonErrors.unauthorized,
      },
    },
    put: {
      summary: "Sets the caller's connected Stripe account (`acct_…`); verified email addresses only",
      tags: ['sellers'],
      security: sessionSecurity,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['stripeAccountId'],
          properties: { stripeAccountId: { type: 'string', pattern: '^acct_[A-Za-z0-9]{1,64}$' } },
        }),
      },
      responses: {
        '200': { description: 'Saved', content: json(ref('SellerAccount')) },
        '400': errorResponse('stripeAccountId missing or not an acct_ id'),
        '401': commonErrors.unauthorized,
        '403': unverified,
      },
    },
  },
  '/api/payouts': {
    post: {
      summary: 'Pays the whole available balance to the connected account (a Stripe transfer); verified email addresses only',
      description: 'Never more than available, never twice: concurrent requests reserve once, the others get 409.',
      tags: ['sellers'],
      security: sessionSecurity,
      requestBody: { required: true, content: json({ type: 'object', additionalProperties: false, properties: {} }) },
      responses: {
        '201': { description: 'Sent', content: json(ref('Payout')) },
        '400': errorResponse('The body is not the JSON object `{}`'),
        '401': commonErrors.unauthorized,
        '403': unverified,
        '409': errorResponse('No payout account, nothing available, a payout already in progress, or the transfer was refused'),
        '503': errorResponse('The payment provider did not answer; the payout stays reserved and is completed later'),
      },
    },
    get: {
      summary: "The caller's payouts, newest first (100)",
      tags: ['sellers'],
      security: sessionSecurity,
      responses: {
        '200': {
          description: 'Payouts',
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['payouts'],
            properties: { payouts: { type: 'array', items: ref('Payout') } },
          }),
        },
        '401': commonErrors.unauthorized,
      },
    },
  },
  '/api/payments/commission': {
    get: {
      summary: "The platform's commission per UTC day (admins: ADMIN_EMAILS)",
      tags: ['payments'],
      security: sessionSecurity,
      parameters: [
        {
          name: 'days',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: COMMISSION_LIMITS.maxDays, default: COMMISSION_LIMITS.defaultDays },
        },
      ],
      responses: {
        '200': {
          description: 'One row per day, oldest first (refunds give commission back, so a day may be negative)',
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['days'],
            properties: {
              days: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['date', 'commission'],
                  properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, commission: signedMoney },
                },
              },
            },
          }),
        },
        '400': errorResponse(`days is not a whole number 1-${COMMISSION_LIMITS.maxDays}`),
        '401': commonErrors.unauthorized,
        '403': errorResponse('Signed in, but the email is not in ADMIN_EMAILS'),
      },
    },
  },
  '/api/payments/unclaimed-balances': {
    get: {
      summary: "Deleted sellers' balances with no connected account to pay them to (admins: ADMIN_EMAILS)",
      description:
        'The platform still owes a deleted seller their balance; closed accounts with a connected account are paid automatically. ' +
        'Listed: closed accounts without one, or whose automatic payout the processor refused, whose available or pending balance is not zero, newest closed first (at most 200).',
      tags: ['payments'],
      security: sessionSecurity,
      responses: {
        '200': {
          description: 'The unclaimed balances',
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['balances'],
            properties: {
              balances: {
                type: 'array',
                maxItems: 200,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['sellerId', 'available', 'pending', 'closedAt'],
                  properties: {
                    sellerId: { type: 'string' },
                    available: signedMoney,
                    pending: signedMoney,
                    closedAt: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          }),
        },
        '401': commonErrors.unauthorized,
        '403': errorResponse('Signed in, but the email is not in ADMIN_EMAILS'),
      },
    },
  },
};
