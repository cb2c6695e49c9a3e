import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { ADDRESS_LIMITS, COUNTRY_CODES } from '../api/address';

/**
 * Building blocks of the services' OpenAPI 3.1 documents (each service keeps its own document in
 * `src/openapi.ts`, beside the routes it describes) and the route that serves them. 3.1 because
 * its schemas are plain JSON Schema 2020-12, which the contract tests validate responses with.
 */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> };
  [key: string]: unknown;
};

export type JsonSchema = Record<string, unknown>;

export interface OpenApiResponse {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
  headers?: Record<string, { description?: string; required?: boolean; schema: JsonSchema }>;
}

export interface OpenApiOperation {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, OpenApiResponse>;
}

/** `{"errors":[{"message", "field"?}]}`: every error response of every service (spec). */
export const errorsSchema: JsonSchema = {
  type: 'object',
  required: ['errors'],
  additionalProperties: false,
  properties: {
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string' }, field: { type: 'string' } },
      },
    },
  },
};

export const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** An error response in the common shape. */
export const errorResponse = (description: string): OpenApiResponse => ({ description, content: json(ref('Errors')) });

/** The responses shared by many operations. */
export const commonErrors = {
  badRequest: errorResponse('Invalid input: malformed JSON or a field that breaks its rules (`field` names it)'),
  unauthorized: errorResponse('Not signed in'),
  notFound: errorResponse('Not found'),
} as const;

/** The session cookie (cookie-session carrying a JWT) that signed-in operations need. */
const text = (max: number, required = true): JsonSchema => ({ type: 'string', ...(required ? { minLength: 1 } : {}), maxLength: max });

/** The properties of an Address (api/address.ts), for every API that takes or shows one. */
export const addressProperties: Record<string, JsonSchema> = {
  name: text(ADDRESS_LIMITS.name),
  line1: text(ADDRESS_LIMITS.line1),
  line2: text(ADDRESS_LIMITS.line2, false),
  city: text(ADDRESS_LIMITS.city),
  postalCode: text(ADDRESS_LIMITS.postalCode),
  country: { type: 'string', enum: [...COUNTRY_CODES], description: 'ISO 3166-1 alpha-2, upper case' },
  phone: text(ADDRESS_LIMITS.phone, false),
};
export const addressRequired = ['name', 'line1', 'city', 'postalCode', 'country'];
/** An Address as a JSON schema (components.schemas.Address). */
export const addressJsonSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: addressRequired,
  properties: addressProperties,
};

export const sessionSecurity = [{ session: [] as string[] }];

/** A document with the shared components (Errors schema, session cookie security scheme). */
export function openApiDocument(opts: {
  title: string;
  description: string;
  paths: OpenApiDocument['paths'];
  schemas?: Record<string, JsonSchema>;
}): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: { title: opts.title, version: '1.0.0', description: opts.description },
    paths: opts.paths,
    components: {
      schemas: { Errors: errorsSchema, ...opts.schemas },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'session', description: 'Set by POST /api/users/signup or /signin' },
      },
    },
  };
}

/**
 * Serves `document` as JSON at `<base>/openapi.json` and Swagger UI at `<base>` (e.g.
 * `/api/orders/docs`, under the service's ingress prefix so it is reachable through the gateway).
 */
export function apiDocsRouter(base: string, document: OpenApiDocument): Router {
  const router = Router();
  router.get(`${base}/openapi.json`, (_req, res) => {
    res.json(document);
  });
  // serveFiles (not serve) keeps this document's init script with this router, so several
  // services in one process each serve their own document.
  router.use(base, swaggerUi.serveFiles(document), swaggerUi.setup(document, { customSiteTitle: document.info.title }));
  return router;
}
