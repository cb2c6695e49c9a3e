import { commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity } from '@jetmart/common';

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const unread = { type: 'integer', minimum: 0, description: "the person's unread entries (all pages)" };

/** The notifications API as it answers (checked against real responses by openapi-contract.test.ts). */
export const notificationsApiDocument = openApiDocument({
  title: 'jetmart notifications',
  description:
    "The signed-in person's in-shop notifications: every fact they were told (by email too), newest first, with the " +
    'unread count for the bell. Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    NotificationRecord: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'kind', 'title', 'body', 'link', 'read', 'createdAt'],
      properties: {
        id: { type: 'string', minLength: 1 },
        kind: {
          type: 'string',
          description:
            'what happened: order.confirmed, payment.received, order.cancelled, order.expired, sale.made, shipment.shipped, ' +
            'shipment.delivered, return.requested, return.approved, return.rejected, return.refunded, payment.refunded',
        },
        title: { type: 'string' },
        body: { type: 'string' },
        link: { type: 'string', pattern: '^/', description: 'the storefront page about it (a path)' },
        read: { type: 'boolean' },
        createdAt: { type: 'string', format: 'date-time' },
      },
    },
    NotificationFeed: {
      type: 'object',
      additionalProperties: false,
      required: ['items', 'unread', 'nextCursor'],
      properties: {
        items: { type: 'array', maxItems: 20, items: ref('NotificationRecord') },
        unread,
        nextCursor: { type: ['string', 'null'], description: 'pass as `cursor` for the next (older) page; null on the last page' },
      },
    },
  },
  paths: {
    '/api/notifications/me/export': {
      get: {
        summary: "The caller's part of their data export: the contact mailed and every notification record",
        description:
          "Asked for by auth (`GET /api/users/me/export`) with the caller's session. Every record, in-app entries and emails " +
          '(the address and subject each went with), oldest first.',
        tags: ['notifications'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: "The caller's contact and records",
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['notificationContact', 'notifications'],
              properties: {
                notificationContact: {
                  oneOf: [
                    {
                      type: 'object',
                      additionalProperties: false,
                      required: ['email', 'displayName'],
                      properties: { email: { type: ['string', 'null'] }, displayName: { type: ['string', 'null'] } },
                    },
                    { type: 'null' },
                  ],
                },
                notifications: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['id', 'channel', 'kind', 'title', 'body', 'link', 'read', 'status', 'createdAt'],
                    properties: {
                      id: { type: 'string', minLength: 1 },
                      channel: { type: 'string', enum: ['email', 'in-app'] },
                      kind: { type: 'string' },
                      title: { type: 'string' },
                      body: { type: 'string' },
                      link: { type: 'string', pattern: '^/' },
                      read: { type: 'boolean' },
                      status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
                      to: { type: 'string' },
                      subject: { type: 'string' },
                      createdAt: { type: 'string', format: 'date-time' },
                      sentAt: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            }),
          },
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/notifications': {
      get: {
        summary: "The caller's notifications, newest first, 20 a page, with the unread count",
        tags: ['notifications'],
        security: sessionSecurity,
        parameters: [
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' },
        ],
        responses: {
          '200': { description: 'A page of the feed', content: json(ref('NotificationFeed')) },
          '400': errorResponse('cursor is not valid'),
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/notifications/{id}/read': {
      post: {
        summary: 'Mark one notification read (again is a repeat)',
        tags: ['notifications'],
        security: sessionSecurity,
        parameters: [idParameter],
        responses: {
          '200': { description: 'The notification, read', content: json(ref('NotificationRecord')) },
          '400': errorResponse('A malformed JSON body (none is needed)'),
          '401': commonErrors.unauthorized,
          '404': errorResponse("No such notification, or it is someone else's"),
        },
      },
    },
    '/api/notifications/read-all': {
      post: {
        summary: "Mark every one of the caller's notifications read",
        tags: ['notifications'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: 'How many were marked; nothing is unread now',
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['marked', 'unread'],
              properties: { marked: { type: 'integer', minimum: 0 }, unread: { type: 'integer', const: 0 } },
            }),
          },
          '400': errorResponse('A malformed JSON body (none is needed)'),
          '401': commonErrors.unauthorized,
        },
      },
    },
  },
});
