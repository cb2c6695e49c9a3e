import { commonErrors, errorResponse, json, openApiDocument, ORDER_TICKET_MAX_LENGTH, ref, sessionSecurity } from '@jetmart/common';
import { REFUND_REASONS } from '@jetmart/common/contracts';
import { sellersApiPaths, sellersApiSchemas } from './openapi-sellers';

/** The payments API as it answers (checked against real responses by openapi-contract.test.ts). */
export const paymentsApiDocument = openApiDocument({
  title: 'jetmart payments',
  description:
    'Pays an order once. Stripe when configured, else a sandbox that accepts `tok_visa` and declines `tok_chargeDeclined`. ' +
    'Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    ...sellersApiSchemas,
    Payment: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'orderId', 'amount', 'refunded', 'refunds'],
      properties: {
        id: { type: 'string', minLength: 1 },
        orderId: { type: 'string', minLength: 1 },
        amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
        refunded: { type: 'number', minimum: 0, multipleOf: 0.01, description: 'The sum of `refunds` (never more than `amount`)' },
        refunds: { type: 'array', items: ref('Refund'), description: 'Oldest first' },
      },
    },
    Refund: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'reason', 'sourceId', 'amount', 'createdAt'],
      properties: {
        id: { type: 'string', minLength: 1, description: '`<reason>-<sourceId>`: one refund per source' },
        reason: { type: 'string', enum: [...REFUND_REASONS] },
        sourceId: {
          type: 'string',
          minLength: 1,
          description: 'The order (order-cancelled), shipment (shipment-cancelled) or return (return)',
        },
        amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    ExportedPayment: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'orderId', 'amount', 'refunded', 'refunds', 'status', 'createdAt'],
      properties: {
        id: { type: 'string', minLength: 1 },
        orderId: { type: 'string', minLength: 1 },
        amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
        refunded: { type: 'number', minimum: 0, multipleOf: 0.01 },
        refunds: { type: 'array', items: ref('Refund') },
        status: { type: 'string', enum: ['pending', 'succeeded', 'failed', 'refunded'], description: 'the last attempt' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    ExportedRefund: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'reason', 'sourceId', 'amount', 'createdAt', 'paymentId', 'orderId'],
      properties: {
        id: { type: 'string', minLength: 1 },
        reason: { type: 'string', enum: [...REFUND_REASONS] },
        sourceId: { type: 'string', minLength: 1 },
        amount: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.01 },
        createdAt: { type: 'string', format: 'date-time' },
        paymentId: { type: 'string', minLength: 1 },
        orderId: { type: 'string', minLength: 1 },
      },
    },
    NewPayment: {
      type: 'object',
      required: ['orderId', 'token'],
      properties: {
        orderId: { type: 'string', minLength: 1, maxLength: 128 },
        token: { type: 'string', minLength: 1, maxLength: 255, description: 'card token, e.g. tok_visa' },
        orderTicket: {
          type: 'string',
          minLength: 1,
          maxLength: ORDER_TICKET_MAX_LENGTH,
          description:
            "the `orderTicket` of the answer to POST /api/orders: payments then takes the order at once even if its order.created has not arrived yet (without it, payments waits up to ORDER_REPLICA_WAIT_MS for the order and may answer 404). Must be this order's ticket, of the caller, signed by orders",
        },
      },
    },
  },
  paths: {
    ...sellersApiPaths,
    '/api/payments/me/export': {
      get: {
        summary: "The caller's part of their data export: every payment record of theirs and its refunds",
        description:
          "Asked for by auth (`GET /api/users/me/export`) with the caller's session. Every attempt's final state (declined " +
          'ones too), oldest first; card tokens and processor ids are not included.',
        tags: ['payments'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: "The caller's payments and refunds",
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['payments', 'refunds'],
              properties: {
                payments: { type: 'array', items: ref('ExportedPayment') },
                refunds: { type: 'array', items: ref('ExportedRefund') },
              },
            }),
          },
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/payments': {
      post: {
        summary: "Pay one of the caller's orders",
        tags: ['payments'],
        security: sessionSecurity,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'The same key again after success answers the same 201 without a second charge',
            schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
          },
        ],
        requestBody: { required: true, content: json(ref('NewPayment')) },
        responses: {
          '201': { description: 'Paid', content: json(ref('Payment')) },
          '400': errorResponse(
            "Invalid body, Idempotency-Key or card token, or an orderTicket that is not orders' ticket of this order (forged, altered, another order's; `field` is orderTicket)",
          ),
          '401': commonErrors.unauthorized,
          '402': errorResponse('The card was declined'),
          '404': errorResponse("No such order, or another user's (also: another user's orderTicket)"),
          '409': errorResponse('The order is cancelled, expired (also: its orderTicket expired) or already paid'),
          '503': errorResponse('The payment provider did not answer; the payment is being processed, check the order shortly'),
        },
      },
      get: {
        summary: "The caller's charged payment of one order (at most one: an order is paid once), with its refunds",
        tags: ['payments'],
        security: sessionSecurity,
        parameters: [{ name: 'orderId', in: 'query', required: true, schema: { type: 'string', pattern: '^[a-fA-F0-9]{24}$' } }],
        responses: {
          '200': {
            description: "The order's payment and what was refunded of it, or an empty list (not paid, unknown, or another user's)",
            content: json({ type: 'array', items: ref('Payment') }),
          },
          '400': errorResponse('orderId missing or not an order id'),
          '401': commonErrors.unauthorized,
        },
      },
    },
  },
});
