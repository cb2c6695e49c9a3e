import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';
import { z } from 'zod';
import { Listener } from '../../common/src/bus/listener';
import { deadLetterSubject, DeadLetterHeaders, eventDataSchemas, makeEvent, parseEvent, streamOf, Subjects } from '../../common/src/events';
// The generator is plain JavaScript in scripts/, so it never ships in a service's dist.
import * as generator from '../../scripts/lib/asyncapi';

/**
 * docs/asyncapi.yaml is generated from the code (npm run docs:asyncapi). These tests regenerate
 * it and compare, check the document is valid AsyncAPI 3.0, that every subject has a publisher,
 * that its schemas accept and reject what parseEvent does, and that the source scan finds what
 * a service really publishes and consumes.
 */
const repo = path.resolve(__dirname, '..', '..');
const docPath = path.join(repo, 'docs', 'asyncapi.yaml');
const contracts = {
  z,
  subjects: Subjects,
  eventDataSchemas,
  streamOf,
  deadLetterSubject,
  deadLetterHeaders: DeadLetterHeaders,
  durableName: generator.durableRuleOf(Listener),
  version: JSON.parse(fs.readFileSync(path.join(repo, 'common', 'package.json'), 'utf8')).version,
};
type Doc = Record<string, any>;
const generated: Doc = generator.buildAsyncApi(repo, contracts);
const committed: Doc = YAML.parse(fs.readFileSync(docPath, 'utf8'));

const ajv = () => new Ajv({ strict: false, allErrors: true, validateFormats: false });

test('docs/asyncapi.yaml is what the code says (regenerate with npm run docs:asyncapi)', () => {
  const text = generator.renderAsyncApi(generated);
  // Structure first: a failure then shows which channel or operation differs, not a wall of text.
  expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
  expect(fs.readFileSync(docPath, 'utf8')).toBe(text);
});

test('the document is valid AsyncAPI 3.0', () => {
  const schema = JSON.parse(fs.readFileSync(require.resolve('@asyncapi/specs/schemas/3.0.0-without-$id.json'), 'utf8'));
  const validate = ajv().compile(schema);
  const ok = validate(committed);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
});

const channelOf = (subject: string) => Object.entries(committed.channels).find(([, c]: [string, any]) => c.address === subject)?.[0];
const operationsOn = (subject: string, action: 'send' | 'receive') =>
  Object.values(committed.operations).filter(
    (o: any) => o.action === action && o.channel.$ref === `#/channels/${channelOf(subject)}`,
  ) as any[];

test('every subject in common has a channel and a publishing service', () => {
  for (const subject of Object.values(Subjects)) {
    expect({ subject, channel: channelOf(subject) }).toEqual({ subject, channel: expect.any(String) });
    expect({ subject, publishers: operationsOn(subject, 'send').map((o) => o['x-jetmart-service']) }).toEqual({
      subject,
      publishers: [expect.any(String)],
    });
  }
});

test('consumers are named by the durable rule of Listener, and each has a dead-letter subject', () => {
  const dlDurables: string[] = committed.channels.deadLetter.parameters.durable.enum;
  for (const subject of Object.values(Subjects)) {
    for (const op of operationsOn(subject, 'receive')) {
      expect(op['x-jetmart-durable']).toBe(`${op['x-jetmart-service']}-${subject.replace(/\./g, '-')}`);
      expect(dlDurables).toContain(op['x-jetmart-durable']);
    }
  }
  // The consumers the SPEC's table names (a sample that the scan must find in the code).
  expect(
    operationsOn(Subjects.OrderCreated, 'receive')
      .map((o) => o['x-jetmart-durable'])
      .sort(),
  ).toEqual(['expiration-order-created', 'notifications-order-created', 'payments-order-created', 'products-order-created']);
  expect(operationsOn(Subjects.ExpirationComplete, 'send').map((o) => [o['x-jetmart-service'], o['x-jetmart-publish']])).toEqual([
    ['expiration', 'direct'],
  ]);
});

/** The payload schema of a subject's message with its `data` $ref resolved, compiled by ajv. */
function payloadValidator(subject: string) {
  const messageRef: string =
    committed.channels[channelOf(subject)!].messages[Object.keys(committed.channels[channelOf(subject)!].messages)[0]].$ref;
  const message = committed.components.messages[messageRef.split('/').pop()!];
  const dataRef: string = message.payload.properties.data.$ref;
  const payload = {
    ...message.payload,
    properties: { ...message.payload.properties, data: committed.components.schemas[dataRef.split('/').pop()!] },
  };
  return { message, validate: ajv().compile(payload) };
}

test("each message's example is a valid event for parseEvent and for the document's schema", () => {
  for (const subject of Object.values(Subjects)) {
    const { message, validate } = payloadValidator(subject);
    const example = message.examples[0].payload;
    expect(() => parseEvent(example, subject)).not.toThrow();
    expect({ subject, valid: validate(example), errors: validate.errors }).toEqual({ subject, valid: true, errors: null });
    expect(message.examples[0].headers['Nats-Msg-Id']).toBe(example.id);
  }
});

test("the document's schemas accept and reject the same events as parseEvent", () => {
  const mutations: [string, (e: any) => void][] = [
    ['nothing changed', () => {}],
    ['an unknown top-level field (tolerated)', (e) => (e.extra = 1)],
    ['an unknown data field (tolerated)', (e) => (e.data.futureField = 'x')],
    ['empty id', (e) => (e.id = '')],
    ['a 129-character id', (e) => (e.id = 'x'.repeat(129))],
    ['a numeric id', (e) => (e.id = 42)],
    ['another subject', (e) => (e.subject = 'nope.nope')],
    ['occurredAt not a date', (e) => (e.occurredAt = 'yesterday')],
    ['occurredAt with an offset', (e) => (e.occurredAt = '2026-05-01T12:00:00+02:00')],
    ['no occurredAt', (e) => delete e.occurredAt],
    ['no data', (e) => delete e.data],
    ['negative version', (e) => (e.data.version = -1)],
    ['fractional version', (e) => (e.data.version = 1.5)],
    ['version as a string', (e) => (e.data.version = '1')],
    ['no version', (e) => delete e.data.version],
  ];
  for (const subject of Object.values(Subjects)) {
    const { message, validate } = payloadValidator(subject);
    const good = makeEvent(subject, message.examples[0].payload.data);
    for (const [why, mutate] of mutations) {
      const event = JSON.parse(JSON.stringify(good));
      mutate(event);
      let parsed = true;
      try {
        parseEvent(event, subject);
      } catch {
        parsed = false;
      }
      expect({ subject, why, document: validate(event) }).toEqual({ subject, why, document: parsed });
    }
  }
});

describe('the source scan', () => {
  let root: string;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'jetmart-asyncapi-'));
    write('package.json', JSON.stringify({ workspaces: ['common', 'client', 'shop'] }));
    write('client/src/page.tsx', 'export const Page = () => <div>{recordEvent(doc, Subjects.OrderCreated, {})}</div>;');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const scan = () => generator.scanService(root, 'shop', Subjects);

  test('finds publishing calls anywhere in src, and not in tests or comments', () => {
    write(
      'shop/src/fulfil/complete.ts',
      '// recordEvent(doc, Subjects.PaymentCreated, data)\nexport const f = (d) => { recordEvent(d, Subjects.OrderCompleted, { version: 1 }); };',
    );
    write('shop/src/models/order.ts', 'export const g = () => [outboxEntry(Subjects.OrderCreated as const, data)];');
    write('shop/src/timer.ts', "export const h = (bus) => bus.emit(Subjects.ExpirationComplete, {}, 'id'); emitter.emit('other');");
    write('shop/src/__tests__/fake.ts', 'recordEvent(d, Subjects.ProductCreated, {});');
    write('shop/src/models/order.test.ts', 'recordEvent(d, Subjects.ProductUpdated, {});');
    const found = scan()
      .publishes.map((p: any) => [p.subject, p.via, p.file])
      .sort();
    expect(found).toEqual([
      ['expiration.complete', 'direct', 'shop/src/timer.ts'],
      ['order.completed', 'outbox', 'shop/src/fulfil/complete.ts'],
      ['order.created', 'outbox', 'shop/src/models/order.ts'],
    ]);
    expect(generator.serviceNames(root)).toEqual(['shop']);
  });

  test('a publishing call whose subject it cannot read fails the scan instead of being left out', () => {
    write('shop/src/a.ts', 'const s = Subjects.OrderCreated; recordEvent(doc, s, {});');
    expect(scan).toThrow(/shop\/src\/a\.ts: recordEvent/);
    write('shop/src/a.ts', 'recordEvent(doc, Subjects.NoSuchThing, {});');
    expect(scan).toThrow(/Subjects\.NoSuchThing is not a subject/);
  });

  test('listeners: instantiated classes only, with the service name their durable uses', () => {
    write(
      'shop/src/events/listeners/literal-listener.ts',
      "export class A extends Listener<X> { readonly subject = Subjects.OrderCreated; constructor(bus, m) { super(bus, 'shop', {}); } }",
    );
    write(
      'shop/src/events/listeners/param-listener.ts',
      'export class B extends Listener<X> { readonly subject = Subjects.OrderCancelled; constructor(bus, private gw, service: string, o = {}) { super(bus, service, o); } }',
    );
    write(
      'shop/src/events/listeners/inherited-listener.ts',
      'export class C extends Listener<X> { readonly subject = Subjects.PaymentCreated; }',
    );
    write(
      'shop/src/events/listeners/configured-listener.ts',
      'export class D extends Listener<X> { subject = Subjects.ProductCreated; constructor(bus, name) { super(bus, name); } }',
    );
    write('shop/src/events/listeners/unused-listener.ts', 'export class E extends Listener<X> { subject = Subjects.ProductUpdated; }');
    write('shop/src/events/listeners/__tests__/e.test.ts', "new E(bus, 'shop');");
    write('shop/src/index.ts', "run(() => [new A(bus, m), new B(bus, gw, 'store'), new C(bus, 'shop'), new D(bus, config.name)]);");
    const found = scan()
      .consumes.map((c: any) => [c.subject, c.service])
      .sort();
    expect(found).toEqual([
      ['order.cancelled', 'store'],
      ['order.created', 'shop'],
      ['payment.created', 'shop'],
      ['product.created', 'shop'],
    ]);
  });

  test('a listener whose subject is not written as Subjects.X fails the scan', () => {
    write('shop/src/events/listeners/odd-listener.ts', "export class O extends Listener<X> { readonly subject = 'order.created'; }");
    expect(scan).toThrow(/O\.subject is not written as Subjects\.X/);
  });
});
