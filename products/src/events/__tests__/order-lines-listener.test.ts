import { orderProductsKey } from '../listeners/order-lines-listener';

describe("products' ordering key of an order event", () => {
  it('is the distinct products of the lines, in one order whatever the lines', () => {
    const lines = (...ids: string[]) => ({ items: ids.map((productId) => ({ productId, quantity: 1 })) });
    expect(orderProductsKey(lines('p1'))).toBe('p1');
    expect(orderProductsKey(lines('p2', 'p1', 'p2'))).toBe('p1,p2');
    expect(orderProductsKey(lines('p1', 'p2'))).toBe(orderProductsKey(lines('p2', 'p1')));
    expect(orderProductsKey(lines('p1'))).not.toBe(orderProductsKey(lines('p2')));
  });

  it('is none for an event that names no product (it is dead-lettered by validation, waiting for nothing)', () => {
    for (const data of [undefined, null, 7, 'x', {}, { items: 'p1' }, { items: [] }, { items: [null, { productId: 3 }, {}] }]) {
      expect(orderProductsKey(data)).toBeUndefined();
    }
  });
});
