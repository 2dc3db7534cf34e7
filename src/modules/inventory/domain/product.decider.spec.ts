import { deciderSpecification } from '../../../shared/testing/decider-specification';
import type { ProductEvent } from '../contracts/inventory-events';
import { availableOf, evolveProduct, initialProduct, type Product } from './product';
import { type ProductCommand, productDecider } from './product.decider';

const spec = deciderSpecification(productDecider);
const sku = 'WIDGET-001';

const created = (initialStock = 10): ProductEvent => ({
  type: 'ProductCreated',
  data: { sku, name: 'Premium Widget', price: 19.99, currency: 'USD', initialStock },
});
const restocked = (quantity: number): ProductEvent => ({ type: 'ProductRestocked', data: { sku, quantity } });
const reserved = (orderId: string, quantity: number): ProductEvent => ({ type: 'ProductStockReserved', data: { orderId, sku, quantity } });
const released = (orderId: string, quantity: number): ProductEvent => ({ type: 'ProductStockReleased', data: { orderId, sku, quantity } });
const deducted = (orderId: string, quantity: number): ProductEvent => ({ type: 'ProductStockDeducted', data: { orderId, sku, quantity } });

const create = (overrides: Partial<Extract<ProductCommand, { type: 'CreateProduct' }>> = {}): ProductCommand => ({
  type: 'CreateProduct',
  sku,
  name: 'Premium Widget',
  priceCents: 1999,
  initialStock: 10,
  ...overrides,
});
const restock = (quantity: number): ProductCommand => ({ type: 'RestockProduct', sku, quantity });
const reserve = (orderId: string, quantity: number): ProductCommand => ({ type: 'ReserveStock', sku, orderId, quantity });
const release = (orderId: string): ProductCommand => ({ type: 'ReleaseStock', sku, orderId });
const deduct = (orderId: string): ProductCommand => ({ type: 'DeductStock', sku, orderId });

const fold = (events: readonly ProductEvent[]): Product => events.reduce(evolveProduct, initialProduct);

describe('product decider', () => {
  describe('CreateProduct', () => {
    it('creates a product priced in cents, shown with two decimals, in USD', () => {
      spec.given([]).when(create()).then([created()]);
      spec
        .given([])
        .when(create({ priceCents: 10, initialStock: 0 }))
        .then([{ type: 'ProductCreated', data: { sku, name: 'Premium Widget', price: 0.1, currency: 'USD', initialStock: 0 } }]);
    });

    it('refuses a sku that exists (409)', () => {
      const rejection = spec.given([created()]).when(create()).thenRejects('conflict', /already exists/);
      expect(rejection.details).toEqual({ sku });
    });

    it.each([
      ['no name', { name: '' }],
      ['no sku', { sku: '' }],
      ['a price of 0', { priceCents: 0 }],
      ['a negative price', { priceCents: -5 }],
      ['a price in fractions of a cent', { priceCents: 199.9 }],
      ['a price that is not a number', { priceCents: Number.NaN }],
      ['a negative stock', { initialStock: -1 }],
      ['a fractional stock', { initialStock: 1.5 }],
    ])('refuses %s', (_what, overrides) => {
      spec.given([]).when(create(overrides)).thenRejects('invalid');
    });
  });

  describe('RestockProduct', () => {
    it('adds to the stock on hand', () => {
      spec.given([created()]).when(restock(5)).then([restocked(5)]);
    });

    it('refuses a product that does not exist (404)', () => {
      spec.given([]).when(restock(5)).thenRejects('not_found', /WIDGET-001/);
    });

    it.each([0, -1, 2.5, Number.MAX_SAFE_INTEGER])('refuses a quantity of %p', (quantity) => {
      spec.given([created()]).when(restock(quantity)).thenRejects('invalid');
    });
  });

  describe('ReserveStock', () => {
    it('holds stock for an order', () => {
      spec.given([created(10)]).when(reserve('order-1', 3)).then([reserved('order-1', 3)]);
    });

    it('holds up to the last unit available', () => {
      spec.given([created(10), reserved('order-1', 7)]).when(reserve('order-2', 3)).then([reserved('order-2', 3)]);
    });

    it('refuses more than is available, naming what is', () => {
      const rejection = spec.given([created(10), reserved('order-1', 8)]).when(reserve('order-2', 3)).thenRejects('conflict', 'insufficient_stock');
      expect(rejection.details).toEqual({ sku, requested: 3, available: 2 });
    });

    it('counts what was restocked, released and deducted', () => {
      const history = [created(2), reserved('order-1', 2), restocked(1), released('order-1', 2), reserved('order-2', 1), deducted('order-2', 1)];
      expect(availableOf(fold(history))).toBe(2);
      spec.given(history).when(reserve('order-3', 2)).then([reserved('order-3', 2)]);
      spec.given(history).when(reserve('order-3', 3)).thenRejects('conflict', 'insufficient_stock');
    });

    it('refuses a product that does not exist: available 0', () => {
      const rejection = spec.given([]).when(reserve('order-1', 1)).thenRejects('not_found');
      expect(rejection.details).toEqual({ sku, requested: 1, available: 0 });
    });

    it.each([0, -2, 1.5])('refuses a quantity of %p', (quantity) => {
      spec.given([created()]).when(reserve('order-1', quantity)).thenRejects('invalid');
    });

    it('holds nothing more for an order that already holds stock here (a retried reservation)', () => {
      spec.given([created(10), reserved('order-1', 3)]).when(reserve('order-1', 3)).thenNothing();
      spec.given([created(3), reserved('order-1', 3)]).when(reserve('order-1', 3)).thenNothing();
    });

    it('holds again for an order whose hold was given back', () => {
      spec.given([created(10), reserved('order-1', 3), released('order-1', 3)]).when(reserve('order-1', 2)).then([reserved('order-1', 2)]);
    });
  });

  describe('ReleaseStock', () => {
    it("gives back the order's hold, whatever quantity the command would guess", () => {
      spec.given([created(), reserved('order-1', 3)]).when(release('order-1')).then([released('order-1', 3)]);
    });

    it('changes nothing for an order that holds nothing here', () => {
      spec.given([created()]).when(release('order-1')).thenNothing();
      spec.given([created(), reserved('order-2', 3)]).when(release('order-1')).thenNothing();
      spec.given([created(), reserved('order-1', 3), released('order-1', 3)]).when(release('order-1')).thenNothing();
      spec.given([created(), reserved('order-1', 3), deducted('order-1', 3)]).when(release('order-1')).thenNothing();
      spec.given([]).when(release('order-1')).thenNothing();
    });
  });

  describe('DeductStock', () => {
    it("takes the order's hold off the stock on hand", () => {
      spec.given([created(), reserved('order-1', 3)]).when(deduct('order-1')).then([deducted('order-1', 3)]);
      expect(fold([created(10), reserved('order-1', 3), deducted('order-1', 3)])).toMatchObject({
        onHand: 7,
        reserved: 0,
        activeReservations: {},
      });
    });

    it('changes nothing for an order that holds nothing here', () => {
      spec.given([created()]).when(deduct('order-1')).thenNothing();
      spec.given([created(), reserved('order-1', 3), deducted('order-1', 3)]).when(deduct('order-1')).thenNothing();
      spec.given([created(), reserved('order-1', 3), released('order-1', 3)]).when(deduct('order-1')).thenNothing();
      spec.given([]).when(deduct('order-1')).thenNothing();
    });
  });

  describe('evolve', () => {
    it('tracks only the holds in flight, and never mutates', () => {
      const before = Object.freeze(fold([created(10), reserved('order-1', 3)]));
      const after = evolveProduct(before, reserved('order-2', 4));
      expect(after).toMatchObject({ onHand: 10, reserved: 7, activeReservations: { 'order-1': 3, 'order-2': 4 } });
      expect(before).toMatchObject({ reserved: 3, activeReservations: { 'order-1': 3 } });
      expect(evolveProduct(after, released('order-1', 3))).toMatchObject({ reserved: 4, activeReservations: { 'order-2': 4 } });
    });

    it('ignores, without throwing, what the decider never decides', () => {
      const product = fold([created(10), reserved('order-1', 3)]);
      expect(evolveProduct(product, created(99))).toBe(product);
      expect(evolveProduct(product, reserved('order-1', 5))).toBe(product);
      expect(evolveProduct(product, released('order-9', 5))).toBe(product);
      expect(evolveProduct(product, deducted('order-9', 5))).toBe(product);
      expect(evolveProduct(initialProduct, restocked(5))).toBe(initialProduct);
      expect(evolveProduct(initialProduct, reserved('order-1', 5))).toBe(initialProduct);
    });

    it('treats an order id as data, even one named like a prototype key', () => {
      const product = fold([created(10)]);
      spec.given([created(10)]).when(reserve('__proto__', 2)).then([reserved('__proto__', 2)]);
      spec.given([created(10)]).when(release('constructor')).thenNothing();
      const held = evolveProduct(product, reserved('__proto__', 2));
      expect(held).toMatchObject({ reserved: 2 });
      expect(Object.hasOwn(held.created ? held.activeReservations : {}, '__proto__')).toBe(true);
      expect(evolveProduct(held, released('__proto__', 2))).toMatchObject({ reserved: 0, activeReservations: {} });
    });
  });
});
