import { InvalidEventError, makeEvent, parseEvent, Subjects, streamOf, priceSchema, toMinor, fromMinor } from '..';

const product = { id: 'p1', title: 'Lamp', priceMinor: 1999, quantity: 3, userId: 'u1', version: 0 };

describe('event contracts', () => {
  it('builds a valid event with a fresh id', () => {
    const a = makeEvent(Subjects.ProductCreated, product);
    const b = makeEvent(Subjects.ProductCreated, product);
    expect(a.id).not.toBe(b.id);
    expect(parseEvent(JSON.parse(JSON.stringify(a)), Subjects.ProductCreated)).toEqual(a);
  });

  it.each([
    ['missing field', { ...product, title: undefined }],
    ['wrong type', { ...product, priceMinor: '19.99' }],
    ['fractional minor units', { ...product, priceMinor: 19.99 }],
    ['negative version', { ...product, version: -1 }],
  ])('rejects data with %s', (_why, data) => {
    expect(() => makeEvent(Subjects.ProductCreated, data as never)).toThrow(InvalidEventError);
  });

  it('rejects an envelope for another subject than expected', () => {
    const e = makeEvent(Subjects.ProductCreated, product);
    expect(() => parseEvent(e, Subjects.ProductUpdated)).toThrow(/expected product.updated/);
  });

  it.each([null, 'x', 42, [], {}, { id: 'a', subject: 'nope', occurredAt: new Date().toISOString(), data: {} }])(
    'rejects a malformed envelope %#',
    (raw) => {
      expect(() => parseEvent(raw)).toThrow(InvalidEventError);
    },
  );

  it('maps subjects to their streams', () => {
    expect(streamOf('order.created')).toBe('ORDERS');
    expect(streamOf('expiration.complete')).toBe('EXPIRATION');
    expect(() => streamOf('nope.x')).toThrow();
  });
});

describe('money', () => {
  it('converts between decimal units and minor units without float drift', () => {
    expect(toMinor(19.99)).toBe(1999);
    expect(toMinor(0.1 + 0.2)).toBe(30);
    expect(fromMinor(1999)).toBe(19.99);
  });

  it.each([[0], [-1], [1_000_000.01], [1.234], [Number.NaN], [Infinity]])('rejects price %p', (p) => {
    expect(priceSchema.safeParse(p).success).toBe(false);
  });

  it.each([[0.01], [19.99], [1_000_000], [5]])('accepts price %p', (p) => {
    expect(priceSchema.safeParse(p).success).toBe(true);
  });
});
