import { commonErrors, errorResponse, json, openApiDocument, ref, sessionSecurity, type JsonSchema } from '@jetmart/common';
import { OPS_DEAD_LETTERS_DEFAULT_LIMIT, OPS_DEAD_LETTERS_MAX_LIMIT, OPS_PAYLOAD_PREVIEW_CHARS } from '@jetmart/common/contracts';

const count: JsonSchema = { type: 'integer', minimum: 0 };
const seq: JsonSchema = { type: 'integer', minimum: 1 };
const object = (required: string[], properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
/** A part read from elsewhere: `{ok: true, data}` or `{ok: false, error}`. */
const part = (data: JsonSchema): JsonSchema => ({
  oneOf: [
    object(['ok', 'data'], { ok: { const: true }, data }),
    object(['ok', 'error'], { ok: { const: false }, error: { type: 'string' } }),
  ],
});
const forbidden = errorResponse('Signed in, but the email is not in ADMIN_EMAILS');

/** The ops API as it answers (checked against real responses by openapi-contract.test.ts). */
export const opsApiDocument = openApiDocument({
  title: 'jetmart ops',
  description:
    'Operations, for admins only (signed in with an email in ADMIN_EMAILS): the NATS server, streams and consumers, ' +
    'every service\'s readiness, and the dead-lettered events with replay. Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    ServerInfo: object(['version', 'serverName', 'uptime', 'connections', 'inMsgs', 'outMsgs', 'memBytes'], {
      version: { type: 'string' },
      serverName: { type: 'string' },
      uptime: { type: 'string' },
      connections: count,
      inMsgs: count,
      outMsgs: count,
      memBytes: count,
    }),
    Stream: object(['name', 'subjects', 'messages', 'bytes', 'firstSeq', 'lastSeq', 'consumers'], {
      name: { type: 'string' },
      subjects: { type: 'array', items: { type: 'string' } },
      messages: count,
      bytes: count,
      firstSeq: count,
      lastSeq: count,
      consumers: {
        type: 'array',
        items: object(['name', 'pending', 'ackPending', 'redelivered', 'waiting'], {
          name: { type: 'string' },
          pending: count,
          ackPending: count,
          redelivered: count,
          waiting: count,
        }),
      },
    }),
    ServiceReadiness: object(['name', 'url', 'ready', 'detail'], {
      name: { type: 'string' },
      url: { type: 'string' },
      ready: { type: 'boolean' },
      detail: { type: 'string' },
    }),
    Status: object(['server', 'streams', 'services'], {
      server: part(ref('ServerInfo')),
      streams: part({ type: 'array', items: ref('Stream') }),
      services: { type: 'array', items: ref('ServiceReadiness') },
    }),
    DeadLetter: object(['seq', 'subject', 'originalSubject', 'consumer', 'error', 'deliveries', 'time', 'payload', 'payloadBytes'], {
      seq,
      subject: { type: 'string', description: 'deadletter.<durable>' },
      originalSubject: { type: 'string', description: 'where replay republishes it (empty when the header is missing)' },
      consumer: { type: 'string' },
      error: { type: 'string' },
      deliveries: count,
      time: { type: 'string', format: 'date-time' },
      payload: {
        type: 'string',
        maxLength: OPS_PAYLOAD_PREVIEW_CHARS,
        description: `the first ${OPS_PAYLOAD_PREVIEW_CHARS} characters of the payload`,
      },
      payloadBytes: count,
    }),
    DeadLetterPage: object(['total', 'messages'], { total: count, messages: { type: 'array', items: ref('DeadLetter') } }),
    Replay: object(['subject', 'stream', 'seq', 'duplicate'], {
      subject: { type: 'string' },
      stream: { type: 'string' },
      seq,
      duplicate: { type: 'boolean', description: 'this dead letter was replayed already: nothing was published twice' },
    }),
  },
  paths: {
    '/api/ops/status': {
      get: {
        summary: 'NATS server (/varz), streams and consumers, and the readiness of every service',
        description: 'Each part is read on its own: one that cannot be read says why (`ok: false`) and the others are still shown.',
        tags: ['ops'],
        security: sessionSecurity,
        responses: {
          '200': { description: 'The status', content: json(ref('Status')) },
          '401': commonErrors.unauthorized,
          '403': forbidden,
        },
      },
    },
    '/api/ops/deadletters': {
      get: {
        summary: 'The dead-lettered messages, oldest first',
        tags: ['ops'],
        security: sessionSecurity,
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: OPS_DEAD_LETTERS_MAX_LIMIT, default: OPS_DEAD_LETTERS_DEFAULT_LIMIT },
          },
        ],
        responses: {
          '200': { description: 'The oldest `limit` messages and the total', content: json(ref('DeadLetterPage')) },
          '400': errorResponse('limit is not a whole number from 1 to the maximum'),
          '401': commonErrors.unauthorized,
          '403': forbidden,
          '503': errorResponse('NATS did not answer'),
        },
      },
    },
    '/api/ops/deadletters/{seq}/replay': {
      post: {
        summary: 'Republish a dead-lettered message to its original subject, then delete it from DEADLETTER',
        description:
          'The payload is republished unchanged, with a new message id, so every consumer of the subject gets it again. ' +
          'Replaying the same message twice publishes it once.',
        tags: ['ops'],
        security: sessionSecurity,
        parameters: [{ name: 'seq', in: 'path', required: true, schema: seq }],
        requestBody: { required: true, content: json({ type: 'object' }) },
        responses: {
          '200': { description: 'Republished', content: json(ref('Replay')) },
          '400': errorResponse('seq is not a positive whole number, or the body is not JSON'),
          '401': commonErrors.unauthorized,
          '403': forbidden,
          '404': errorResponse('No such message in DEADLETTER'),
          '409': errorResponse('The message has no original subject to replay to'),
          '415': errorResponse('The request is not application/json'),
          '503': errorResponse('NATS did not answer'),
        },
      },
    },
  },
});
