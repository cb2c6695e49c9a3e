import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { Response } from 'supertest';
import type { JsonSchema, OpenApiDocument, OpenApiResponse } from '../openapi';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const COMPONENTS_ID = 'openapi-components';

/** `#/components/schemas/X` → a reference into the components schema ajv knows under COMPONENTS_ID. */
function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`) : rewriteRefs(v);
  }
  return out;
}

interface DocumentedResponse {
  key: string;
  response: OpenApiResponse;
  validate?: ValidateFunction;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Map<string, DocumentedResponse>;
}

/**
 * Checks real responses against an OpenAPI 3.1 document, and which documented responses were
 * seen. `check` fails on a status the document does not list for the operation, a body that
 * breaks the documented schema, or a missing required header; `unexercised` lists documented
 * responses no test produced. Together: the document can drift from the code in neither direction.
 */
export class OpenApiContract {
  private readonly operations: Operation[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly document: OpenApiDocument) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, multipleOfPrecision: 6 }); // money: 19.99 is a multiple of 0.01 within float error;
    // The formats the documents use (strict mode refuses unknown ones, so a new one must be added here).
    ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT/.test(s));
    ajv.addFormat('email', /^[^@\s]+@[^@\s]+\.[^@\s]+$/);
    ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(document.components?.schemas ?? {}) as Record<string, JsonSchema> });
    for (const [template, item] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const responses = new Map<string, DocumentedResponse>();
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.['application/json']?.schema;
          responses.set(status, {
            key: `${method.toUpperCase()} ${template} ${status}`,
            response,
            validate: schema ? ajv.compile(rewriteRefs(schema) as JsonSchema) : undefined,
          });
        }
        this.operations.push({ method: method.toUpperCase(), template, pattern, responses });
      }
    }
  }

  /** Validates one response (of a supertest request) against the document and records it. */
  check(res: Response): void {
    const req = (res as unknown as { req: { method: string; path: string } }).req;
    const path = new URL(req.path, 'http://x').pathname;
    const where = `${req.method} ${path} → ${res.status}`;
    const op = this.operations.find((o) => o.method === req.method && o.pattern.test(path));
    if (!op) throw new Error(`${where}: no operation in the document matches`);
    const documented = op.responses.get(String(res.status));
    if (!documented)
      throw new Error(
        `${where}: status not documented for ${op.method} ${op.template} (documented: ${[...op.responses.keys()].join(', ')})`,
      );
    for (const [name, header] of Object.entries(documented.response.headers ?? {})) {
      if (header.required && res.headers[name.toLowerCase()] === undefined) throw new Error(`${where}: required header ${name} missing`);
    }
    if (documented.validate) {
      if (!/^application\/json/.test(String(res.headers['content-type'])))
        throw new Error(`${where}: expected JSON, got ${res.headers['content-type']}`);
      if (!documented.validate(res.body)) {
        throw new Error(
          `${where}: body does not match the document: ${JSON.stringify(documented.validate.errors)}\nbody: ${JSON.stringify(res.body)}`,
        );
      }
    } else if (res.text && res.text.length > 0) {
      throw new Error(`${where}: the document says no body, got ${res.text.slice(0, 200)}`);
    }
    this.seen.add(documented.key);
  }

  /** Awaits a supertest request, checks it has `status` and matches the document; returns it. */
  async expect(pending: PromiseLike<Response>, status: number): Promise<Response> {
    const res = await pending;
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
    this.check(res);
    return res;
  }

  /** Documented responses (`METHOD /path STATUS`) that no checked response produced. */
  unexercised(): string[] {
    return this.operations.flatMap((o) => [...o.responses.values()].map((r) => r.key)).filter((k) => !this.seen.has(k));
  }
}
