'use strict';
/**
 * Builds docs/asyncapi.yaml (AsyncAPI 3.0) from what the code really does:
 *   - payload schemas: common's zod event schemas (z.toJSONSchema), inside the envelope that
 *     parseEvent accepts;
 *   - publishers: calls in each service's src that name a subject as `Subjects.X`:
 *     recordEvent(doc, Subjects.X, …) and outboxEntry(Subjects.X, …) (the outbox), and
 *     <bus>.emit(Subjects.X, …) / makeEvent(Subjects.X, …) (published directly);
 *   - consumers: classes with `subject = Subjects.X` that the service instantiates, and their
 *     durable names by the rule of common's Listener (`durableName`, passed in).
 * Source files are parsed with @swc/core (already the test transformer), not matched with regular
 * expressions, so comments, strings and formatting cannot fool the scan. Test code (`__tests__/`,
 * `*.test.ts`) is not scanned: it is not what the services run.
 *
 * Pure: it reads source files but takes the contracts (zod schemas, durable rule) as arguments,
 * so the script (scripts/asyncapi.js) and the test (infra/tests/asyncapi.test.ts) build the same
 * document. It lives in scripts/, so it never ships in a service's dist.
 */
const fs = require('node:fs');
const path = require('node:path');
const { parseSync } = require('@swc/core');
const YAML = require('yaml');

/** Workspaces that are not services: the shared library and the storefront (which publishes no events). */
const NOT_SERVICES = new Set(['common', 'client']);

/** The ids every return event carries (one return of the example order's delivered shipment). */
const RETURN_REF = {
  id: '665f1c2a9b1e8a0012a4f001',
  orderId: '665f1c2a9b1e8a0012a4c001',
  shipmentId: '665f1c2a9b1e8a0012a4e001',
  sellerId: '665f1c2a9b1e8a0012a4a001',
  buyerId: '665f1c2a9b1e8a0012a4a002',
};

/** Example data per subject: shown in the document, and checked against the schemas by the test. */
const EXAMPLES = {
  'product.created': {
    id: '665f1c2a9b1e8a0012a4b001',
    title: 'Desk lamp',
    priceMinor: 1999,
    quantity: 5,
    userId: '665f1c2a9b1e8a0012a4a001',
    listed: true,
    description: 'A brass desk lamp with a linen shade',
    category: 'lighting',
    images: [],
    createdAt: '2026-05-01T10:00:00.000Z',
    version: 0,
  },
  'product.updated': {
    id: '665f1c2a9b1e8a0012a4b001',
    title: 'Desk lamp',
    priceMinor: 1799,
    quantity: 3,
    userId: '665f1c2a9b1e8a0012a4a001',
    listed: true,
    description: 'A brass desk lamp with a linen shade',
    category: 'lighting',
    images: ['9f86d081884c7d659a2feaa0c55ad015'],
    createdAt: '2026-05-01T10:00:00.000Z',
    version: 1,
  },
  'product.stock-changed': { id: '665f1c2a9b1e8a0012a4b001', inStock: false, available: 0, version: 1 },
  'product.rating-changed': { id: '665f1c2a9b1e8a0012a4b001', ratingCount: 2, ratingSum: 9, version: 2 },
  'order.created': {
    id: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    status: 'created',
    expiresAt: '2026-05-01T12:15:00.000Z',
    items: [
      { productId: '665f1c2a9b1e8a0012a4b001', quantity: 2, sellerId: '665f1c2a9b1e8a0012a4a001', title: 'Desk lamp', priceMinor: 1799 },
    ],
    totalMinor: 3598,
    shippingAddress: { name: 'Ada Lovelace', line1: '12 Market Street', city: 'London', postalCode: 'EC1A 1BB', country: 'GB' },
    version: 0,
  },
  'order.cancelled': {
    id: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    reason: 'expired',
    items: [{ productId: '665f1c2a9b1e8a0012a4b001', quantity: 2 }],
    version: 1,
  },
  'order.completed': {
    id: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    items: [
      { productId: '665f1c2a9b1e8a0012a4b001', quantity: 2, sellerId: '665f1c2a9b1e8a0012a4a001', title: 'Desk lamp', priceMinor: 1799 },
    ],
    shippingAddress: { name: 'Ada Lovelace', line1: '12 Market Street', city: 'London', postalCode: 'EC1A 1BB', country: 'GB' },
    version: 1,
  },
  'payment.created': {
    id: '665f1c2a9b1e8a0012a4d001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    amountMinor: 3598,
    version: 0,
  },
  'expiration.complete': { orderId: '665f1c2a9b1e8a0012a4c001', version: 0 },
  'shipment.created': {
    id: '665f1c2a9b1e8a0012a4e001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    sellerId: '665f1c2a9b1e8a0012a4a001',
    buyerId: '665f1c2a9b1e8a0012a4a002',
    items: [{ productId: '665f1c2a9b1e8a0012a4b001', quantity: 2 }],
    version: 0,
  },
  'shipment.shipped': {
    id: '665f1c2a9b1e8a0012a4e001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    sellerId: '665f1c2a9b1e8a0012a4a001',
    buyerId: '665f1c2a9b1e8a0012a4a002',
    carrier: 'DHL',
    trackingNumber: 'JD014600006281230847',
    shippedAt: '2026-05-02T09:30:00.000Z',
    autoDeliverAt: '2026-05-16T09:30:00.000Z',
    version: 1,
  },
  'shipment.delivered': {
    id: '665f1c2a9b1e8a0012a4e001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    sellerId: '665f1c2a9b1e8a0012a4a001',
    buyerId: '665f1c2a9b1e8a0012a4a002',
    items: [{ productId: '665f1c2a9b1e8a0012a4b001', quantity: 2 }],
    deliveredAt: '2026-05-05T16:10:00.000Z',
    by: 'buyer',
    returnableUntil: '2026-06-04T16:10:00.000Z',
    version: 2,
  },
  'shipment.cancelled': {
    id: '665f1c2a9b1e8a0012a4e002',
    orderId: '665f1c2a9b1e8a0012a4c001',
    sellerId: '665f1c2a9b1e8a0012a4a003',
    buyerId: '665f1c2a9b1e8a0012a4a002',
    items: [{ productId: '665f1c2a9b1e8a0012a4b002', quantity: 1, priceMinor: 2500 }],
    amountMinor: 2500,
    cancelledAt: '2026-05-01T12:20:00.000Z',
    version: 1,
  },
  'expiration.shipment-delivery-due': { shipmentId: '665f1c2a9b1e8a0012a4e001', version: 1 },
  'expiration.return-window-closed': {
    shipmentId: '665f1c2a9b1e8a0012a4e001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    sellerId: '665f1c2a9b1e8a0012a4a001',
    version: 2,
  },
  'payment.started': {
    id: '665f1c2a9b1e8a0012a4d001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    attempt: 1,
    version: 0,
  },
  'payment.failed': {
    id: '665f1c2a9b1e8a0012a4d001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    attempt: 1,
    reason: 'declined',
    version: 1,
  },
  'payment.refunded': {
    id: 'return-665f1c2a9b1e8a0012a4f001',
    paymentId: '665f1c2a9b1e8a0012a4d001',
    orderId: '665f1c2a9b1e8a0012a4c001',
    userId: '665f1c2a9b1e8a0012a4a002',
    reason: 'return',
    sourceId: '665f1c2a9b1e8a0012a4f001',
    amountMinor: 1799,
    items: [{ productId: '665f1c2a9b1e8a0012a4b001', quantity: 1, priceMinor: 1799 }],
    version: 0,
  },
  'return.requested': {
    ...RETURN_REF,
    items: [{ productId: '665f1c2a9b1e8a0012a4b001', quantity: 1, priceMinor: 1799 }],
    reason: 'damaged',
    note: 'The shade arrived cracked',
    version: 0,
  },
  'return.approved': { ...RETURN_REF, version: 1 },
  'return.rejected': { ...RETURN_REF, message: 'The photos show no damage', version: 1 },
  'return.cancelled': { ...RETURN_REF, version: 1 },
  'return.received': {
    ...RETURN_REF,
    items: [{ productId: '665f1c2a9b1e8a0012a4b001', quantity: 1, priceMinor: 1799 }],
    amountMinor: 1799,
    restock: true,
    version: 2,
  },
  'return.refunded': { ...RETURN_REF, refundId: 'return-665f1c2a9b1e8a0012a4f001', amountMinor: 1799, version: 3 },
  'user.created': { id: '665f1c2a9b1e8a0012a4a002', email: 'ada@example.com', version: 0 },
  'user.updated': { id: '665f1c2a9b1e8a0012a4a002', email: 'ada@example.com', displayName: 'Ada', version: 1 },
  'user.deleted': { id: '665f1c2a9b1e8a0012a4a002', version: 2 },
  'payment.payout-sent': {
    id: '665f1c2a9b1e8a0012a4c001',
    sellerId: '665f1c2a9b1e8a0012a4a001',
    amountMinor: 4599,
    currency: 'usd',
    transferId: 'tr_1PayoutExample',
    version: 1,
  },
  'user.password-reset-requested': {
    userId: '665f1c2a9b1e8a0012a4a002',
    email: 'ada@example.com',
    token: 'q3Jc0pX9bY1e8a0012a4a002ZpRk7sVwN4hT2mL6uQd8E',
    expiresAt: '2026-06-01T13:00:00.000Z',
  },
  'user.verification-requested': {
    userId: '665f1c2a9b1e8a0012a4a002',
    email: 'ada@example.com',
    token: 'Vt8yLm2Qx5Rb0e8a0012a4a002KcW9sDn3Jh7pG4fA1zU',
    expiresAt: '2026-06-01T13:00:00.000Z',
  },
};

/** Event ids in the examples: deterministic so the generated file is stable. */
// The expiration service's events have deterministic ids (one per timer); the others are UUIDs.
const exampleEventId = (subject, index) => {
  if (subject === 'expiration.complete') return `expiration-${EXAMPLES[subject].orderId}`;
  if (subject === 'expiration.shipment-delivery-due')
    return `shipment-delivery-due-${EXAMPLES[subject].shipmentId}-${EXAMPLES[subject].version}`;
  return `6d1f4e0a-2c3b-4f5a-9e8d-${String(index + 1).padStart(12, '0')}`;
};
const EXAMPLE_OCCURRED_AT = '2026-05-01T12:00:00.000Z';
const EXAMPLE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

// ---------------------------------------------------------------------------------------------
// Scanning the services' source

/** The services: workspaces of the root package.json, except common and the storefront. */
function serviceNames(root) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return pkg.workspaces.filter((w) => !NOT_SERVICES.has(w) && fs.existsSync(path.join(root, w, 'src'))).sort();
}

/** Every production source file under dir (no tests, no declaration files). */
function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '__tests__' || entry.name === 'node_modules') continue;
      out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** Depth-first walk over an swc AST, calling visit(node, parent) on every node. */
function walk(node, visit, parent = null) {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit, parent);
    return;
  }
  if (!node || typeof node !== 'object') return;
  if (typeof node.type === 'string') visit(node, parent);
  for (const key of Object.keys(node)) {
    if (key === 'span') continue;
    const child = node[key];
    if (child && typeof child === 'object') walk(child, visit, typeof node.type === 'string' ? node : parent);
  }
}

/** Strips `as const`, `satisfies`, type assertions and parentheses. */
function unwrap(expr) {
  let e = expr;
  while (
    e &&
    [
      'TsAsExpression',
      'TsConstAssertion',
      'TsSatisfiesExpression',
      'TsTypeAssertion',
      'ParenthesisExpression',
      'TsNonNullExpression',
    ].includes(e.type)
  )
    e = e.expression;
  return e;
}

/** `Subjects.X` → 'X', else undefined. */
function subjectKeyOf(expr) {
  const e = unwrap(expr);
  if (
    e?.type === 'MemberExpression' &&
    e.object?.type === 'Identifier' &&
    e.object.value === 'Subjects' &&
    e.property?.type === 'Identifier'
  )
    return e.property.value;
  return undefined;
}

const stringLiteral = (expr) => {
  const e = unwrap(expr);
  return e?.type === 'StringLiteral' ? e.value : undefined;
};
const argAt = (call, i) => call.arguments?.[i]?.expression;
const calleeName = (call) => {
  const c = unwrap(call.callee);
  if (c?.type === 'Identifier') return { name: c.value, member: false };
  if (c?.type === 'MemberExpression' && c.property?.type === 'Identifier') return { name: c.property.value, member: true };
  return undefined;
};

/** How each publishing call names its subject: which argument, and whether it goes through the outbox. */
const PUBLISHING_CALLS = {
  recordEvent: { arg: 1, via: 'outbox', member: false, strict: true },
  outboxEntry: { arg: 0, via: 'outbox', member: false, strict: true },
  makeEvent: { arg: 0, via: 'direct', member: false, strict: true },
  emit: { arg: 0, via: 'direct', member: true, strict: false },
};

/** Parameter names of a class constructor, in order (TS parameter properties included). */
function constructorParams(ctor) {
  return ctor.params.map((p) => {
    const pat = p.type === 'TsParameterProperty' ? p.param : p.pat;
    const id = pat?.type === 'AssignmentPattern' ? pat.left : pat;
    return id?.type === 'Identifier' ? id.value : undefined;
  });
}

/**
 * Scans one service. `subjects` maps Subjects keys to subject strings. Returns the subjects it
 * publishes (with how) and the listener classes it instantiates (with the service name their
 * durable is formed from). Throws when a publishing call or a listener names its subject in a way
 * the scan cannot read, so the document is never silently incomplete.
 */
function scanService(root, service, subjects) {
  const srcDir = path.join(root, service, 'src');
  const publishes = [];
  const classes = new Map(); // class name -> { subject, file, serviceArg: {literal}|{param index}|undefined }
  const instantiations = []; // { className, args }
  const rel = (file) => path.relative(root, file).split(path.sep).join('/');
  const subjectOf = (key, where) => {
    if (!(key in subjects)) throw new Error(`${where}: Subjects.${key} is not a subject in common/src/events`);
    return subjects[key];
  };

  for (const file of sourceFiles(srcDir)) {
    const ast = parseSync(fs.readFileSync(file, 'utf8'), { syntax: 'typescript', tsx: file.endsWith('.tsx'), decorators: true });
    walk(ast, (node) => {
      if (node.type === 'CallExpression') {
        const callee = calleeName(node);
        const rule = callee && PUBLISHING_CALLS[callee.name];
        if (!rule || rule.member !== callee.member) return;
        const key = subjectKeyOf(argAt(node, rule.arg));
        if (key === undefined) {
          if (rule.strict)
            throw new Error(
              `${rel(file)}: ${callee.name}(…) names its subject other than as Subjects.X; the AsyncAPI scan cannot tell what it publishes`,
            );
          return;
        }
        publishes.push({ subject: subjectOf(key, rel(file)), via: rule.via, file: rel(file) });
      } else if (node.type === 'NewExpression' && unwrap(node.callee)?.type === 'Identifier') {
        instantiations.push({
          className: unwrap(node.callee).value,
          args: (node.arguments ?? []).map((a) => a.expression),
          file: rel(file),
        });
      } else if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.identifier && !node.isAbstract) {
        const prop = node.body.find(
          (m) => m.type === 'ClassProperty' && !m.isStatic && m.key?.type === 'Identifier' && m.key.value === 'subject',
        );
        const extendsListener = unwrap(node.superClass)?.type === 'Identifier' && /Listener$/.test(unwrap(node.superClass).value);
        if (!prop) {
          if (extendsListener)
            throw new Error(`${rel(file)}: ${node.identifier.value} extends a listener but has no \`subject = Subjects.X\``);
          return;
        }
        const key = subjectKeyOf(prop.value);
        if (key === undefined) throw new Error(`${rel(file)}: ${node.identifier.value}.subject is not written as Subjects.X`);
        const ctor = node.body.find((m) => m.type === 'Constructor');
        // Listener's constructor is (bus, service, options): its service argument is index 1.
        let serviceArg = { param: 1 };
        if (ctor) {
          let superCall;
          walk(ctor.body, (n) => {
            if (!superCall && n.type === 'CallExpression' && n.callee?.type === 'Super') superCall = n;
          });
          const arg = superCall && argAt(superCall, 1);
          const literal = stringLiteral(arg);
          if (literal !== undefined) serviceArg = { literal };
          else if (unwrap(arg)?.type === 'Identifier') {
            const index = constructorParams(ctor).indexOf(unwrap(arg).value);
            serviceArg = index >= 0 ? { param: index } : undefined;
          } else serviceArg = undefined;
        }
        classes.set(node.identifier.value, {
          subject: subjectOf(key, rel(file)),
          file: rel(file),
          className: node.identifier.value,
          serviceArg,
        });
      }
    });
  }

  const consumes = [];
  for (const cls of classes.values()) {
    const uses = instantiations.filter((i) => i.className === cls.className);
    // A listener class the service never creates consumes nothing.
    if (!uses.length) continue;
    const names = new Set(
      uses.map((use) => {
        if (cls.serviceArg?.literal !== undefined) return cls.serviceArg.literal;
        const given = cls.serviceArg && stringLiteral(use.args[cls.serviceArg.param]);
        // Not a literal (e.g. the service's configured name): the workspace is the service.
        return given ?? service;
      }),
    );
    for (const name of names) consumes.push({ subject: cls.subject, service: name, className: cls.className, file: cls.file });
  }
  return { service, publishes, consumes };
}

/** Scans every service: `{ services: [...], publishers, consumers }`, in a stable order. */
function scanServices(root, subjects) {
  const scans = serviceNames(root).map((s) => scanService(root, s, subjects));
  return { services: scans.map((s) => s.service), scans };
}

/**
 * Listener's durable rule (its `durableName` getter, which reads `service` and `subject`) as a
 * function, so the document names durables exactly as the running consumers do. Fails loudly if
 * the getter stops reading those two fields.
 */
function durableRuleOf(Listener) {
  const get = Object.getOwnPropertyDescriptor(Listener.prototype, 'durableName')?.get;
  if (!get) throw new Error('Listener has no durableName getter: update durableRuleOf in scripts/lib/asyncapi.js');
  const rule = (service, subject) => get.call({ service, subject });
  const probe = rule('probe-service', 'probe.subject');
  if (typeof probe !== 'string' || !probe.includes('probe-service') || !/probe.subject/.test(probe) || probe.includes('undefined')) {
    throw new Error(
      `Listener.durableName no longer derives from service and subject (got ${probe}): update durableRuleOf in scripts/lib/asyncapi.js`,
    );
  }
  return rule;
}

// ---------------------------------------------------------------------------------------------
// The document

const camel = (s) => s.replace(/[.-](\w)/g, (_m, c) => c.toUpperCase());
const pascal = (s) => camel(s).replace(/^\w/, (c) => c.toUpperCase());

/**
 * The envelope parseEvent accepts (common/src/events): `data` is described by its own schema.
 * Kept in step with parseEvent by the test, which feeds both the same good and bad envelopes.
 */
function envelopeSchema(z, subject) {
  return z.object({ id: z.string().min(1).max(128), subject: z.literal(subject), occurredAt: z.iso.datetime(), data: z.unknown() });
}

/** JSON Schema (draft-07, which AsyncAPI's schema format extends) of a zod schema, as parseEvent reads it. */
function jsonSchema(z, schema) {
  // io 'input': what a consumer accepts. Unknown fields are tolerated (zod strips them), which is
  // what lets events gain fields compatibly.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' });
  return rest;
}

/**
 * The AsyncAPI 3.0 document.
 * @param contracts.z               zod (4), for z.toJSONSchema and the envelope
 * @param contracts.subjects        common's `Subjects` ({ProductCreated: 'product.created', …})
 * @param contracts.eventDataSchemas common's zod schemas of each subject's data
 * @param contracts.streamOf        (subject) => stream name
 * @param contracts.deadLetterSubject (durable) => subject of its dead letters
 * @param contracts.deadLetterHeaders common's DeadLetterHeaders
 * @param contracts.durableName     (service, subject) => the durable consumer's name (Listener's rule)
 * @param contracts.version         the contract's version (common's package version)
 */
function buildAsyncApi(root, contracts) {
  const { z, subjects, eventDataSchemas, streamOf, deadLetterSubject, deadLetterHeaders, durableName, version } = contracts;
  const scan = scanServices(root, subjects);
  const channels = {};
  const operations = {};
  const messages = {};
  const schemas = {};
  const durables = [];

  for (const [index, subject] of Object.values(subjects).entries()) {
    const channelId = camel(subject);
    const messageId = pascal(subject);
    const dataSchemaId = `${messageId}Data`;
    if (!eventDataSchemas[subject]) throw new Error(`no data schema for ${subject} in common/src/events`);
    if (!EXAMPLES[subject]) throw new Error(`no example for ${subject}: add one to EXAMPLES in scripts/lib/asyncapi.js`);

    const envelope = jsonSchema(z, envelopeSchema(z, subject));
    envelope.properties.data = { $ref: `#/components/schemas/${dataSchemaId}` };
    schemas[dataSchemaId] = jsonSchema(z, eventDataSchemas[subject]);

    const publishers = [];
    const consumers = [];
    for (const s of scan.scans) {
      const ways = [...new Set(s.publishes.filter((p) => p.subject === subject).map((p) => p.via))].sort();
      if (ways.length) publishers.push({ service: s.service, via: ways });
      for (const c of s.consumes.filter((c) => c.subject === subject)) {
        if (!consumers.some((x) => x.service === c.service))
          consumers.push({ service: c.service, durable: durableName(c.service, subject) });
      }
    }
    consumers.sort((a, b) => a.service.localeCompare(b.service));

    const stream = streamOf(subject);
    const describe = (list, fmt) => (list.length ? list.map(fmt).join(', ') : 'none');
    channels[channelId] = {
      address: subject,
      title: subject,
      description:
        `Stream ${stream}. Published by ${describe(publishers, (p) => `${p.service} (${p.via.join(' and ')})`)}; ` +
        `consumed by ${describe(consumers, (c) => `${c.service} (durable ${c.durable})`)}.`,
      messages: { [messageId]: { $ref: `#/components/messages/${messageId}` } },
      'x-jetmart-stream': stream,
    };
    for (const p of publishers) {
      operations[`${camel(p.service)}Publishes${messageId}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${channelId}` },
        summary: `${p.service} publishes ${subject}`,
        description: p.via.includes('outbox')
          ? 'Recorded in the outbox of the changed document in the same single-document write, then published by the outbox relay with the event id as the JetStream message id.'
          : 'Published directly (not tied to a stored change); a deterministic event id makes a repeated publish a dropped duplicate.',
        messages: [{ $ref: `#/channels/${channelId}/messages/${messageId}` }],
        'x-jetmart-service': p.service,
        'x-jetmart-publish': p.via.join(','),
      };
    }
    for (const c of consumers) {
      durables.push(c.durable);
      operations[`${camel(c.service)}Consumes${messageId}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${channelId}` },
        summary: `${c.service} consumes ${subject} through durable ${c.durable}`,
        description: `One durable pull consumer shared by every replica of ${c.service}: explicit acks, retries with back-off, then ${deadLetterSubject(c.durable)}.`,
        messages: [{ $ref: `#/channels/${channelId}/messages/${messageId}` }],
        'x-jetmart-service': c.service,
        'x-jetmart-durable': c.durable,
      };
    }
    messages[messageId] = {
      name: subject,
      title: subject,
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/EventHeaders' },
      correlationId: { $ref: '#/components/correlationIds/Traceparent' },
      payload: envelope,
      examples: [
        {
          name: `${channelId}Example`,
          headers: { 'Nats-Msg-Id': exampleEventId(subject, index), traceparent: EXAMPLE_TRACEPARENT },
          payload: { id: exampleEventId(subject, index), subject, occurredAt: EXAMPLE_OCCURRED_AT, data: EXAMPLES[subject] },
        },
      ],
    };
  }

  // Dead letters: any consumer parks a message it gives up on in deadletter.<durable>.
  durables.sort();
  const dlParam = 'durable';
  channels.deadLetter = {
    address: deadLetterSubject(`{${dlParam}}`),
    title: 'dead letters',
    description:
      'Stream DEADLETTER. A consumer that gives up on a message (invalid payload at once; a failing handler after a bounded number of deliveries) ' +
      'publishes the original bytes here, with where it came from and why in the headers. An admin can replay one from the /ops page: ' +
      'it is republished unchanged to its original subject (every consumer of that subject gets it again; they are idempotent) and deleted here.',
    parameters: { [dlParam]: { enum: durables, description: 'The durable consumer that gave up.' } },
    messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
    'x-jetmart-stream': streamOf(deadLetterSubject('x')),
  };
  for (const s of [...new Set(scan.scans.flatMap((x) => x.consumes.map((c) => c.service)))].sort()) {
    operations[`${camel(s)}DeadLetters`] = {
      action: 'send',
      channel: { $ref: '#/channels/deadLetter' },
      summary: `${s}'s consumers park what they give up on`,
      messages: [{ $ref: '#/channels/deadLetter/messages/DeadLetter' }],
      'x-jetmart-service': s,
    };
  }
  const dlHeaderProps = {};
  for (const [key, header] of Object.entries(deadLetterHeaders))
    dlHeaderProps[header] = { type: 'string', description: DEAD_LETTER_HEADER_DOCS[key] ?? key };
  dlHeaderProps.traceparent = { type: 'string', description: "The original message's W3C traceparent, when it had one." };
  messages.DeadLetter = {
    name: 'deadletter',
    title: 'dead letter',
    contentType: 'application/octet-stream',
    summary: 'The original message body, byte for byte (it may not even be JSON).',
    headers: { type: 'object', required: Object.values(deadLetterHeaders), properties: dlHeaderProps },
    payload: { type: 'string', description: 'The bytes of the message that was given up on.' },
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'jetmart events',
      version,
      description:
        "The events jetmart's services exchange on NATS JetStream. Generated by `npm run docs:asyncapi` (scripts/asyncapi.js) from the event " +
        "schemas in common/src/events and a scan of every service's src (publishing calls and listener classes); " +
        'infra/tests/asyncapi.test.ts fails when this document and the code disagree. Every message is an envelope {id, subject, occurredAt, data}: ' +
        "`id` is also the JetStream message id (Nats-Msg-Id), so a publish repeated within the stream's duplicate window is dropped; " +
        '`data.version` is the version of the record after the change. Money is integer minor units (`*Minor`). ' +
        'Schemas are read leniently: unknown fields are ignored, so fields may be added, never renamed or retyped.',
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      cluster: {
        host: 'nats:4222',
        protocol: 'nats',
        description:
          'NATS with JetStream in Kubernetes, a 3-node cluster (NATS_URL in the ConfigMap jetmart-config of charts/jetmart). Locally, `npm start` runs the pinned nats-server on a free port.',
      },
    },
    channels,
    operations,
    components: {
      schemas: {
        EventHeaders: {
          type: 'object',
          properties: {
            'Nats-Msg-Id': { type: 'string', description: 'The event id: JetStream drops a second publish with the same id.' },
            traceparent: { type: 'string', description: 'W3C trace context of the publish, a child of the change that caused the event.' },
            tracestate: { type: 'string' },
          },
          required: ['Nats-Msg-Id'],
        },
        ...schemas,
      },
      messages,
      correlationIds: {
        Traceparent: { description: 'The trace the event belongs to (OpenTelemetry).', location: '$message.header#/traceparent' },
      },
    },
  };
}

const DEAD_LETTER_HEADER_DOCS = {
  subject: 'The subject the message was published to.',
  stream: 'The stream it was stored in.',
  sequence: 'Its sequence in that stream.',
  consumer: 'The durable consumer that gave up on it.',
  error: "Why (the validation error or the handler's last error), at most 1000 characters on one line.",
  deliveries: 'How many times it was delivered.',
};

const HEADER =
  "# Generated by `npm run docs:asyncapi` (scripts/asyncapi.js) from common/src/events and the services' src.\n# Do not edit by hand: infra/tests/asyncapi.test.ts fails when it differs from what the code says.\n";

/** The YAML text of the document (stable: same input, same bytes). */
function renderAsyncApi(doc) {
  return HEADER + YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

module.exports = {
  EXAMPLES,
  buildAsyncApi,
  durableRuleOf,
  envelopeSchema,
  renderAsyncApi,
  scanService,
  scanServices,
  serviceNames,
  sourceFiles,
};
