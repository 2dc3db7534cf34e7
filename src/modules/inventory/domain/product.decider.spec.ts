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
const release = (orderId: string, quantity: number): ProductCommand => ({ type: 'ReleaseStock', sku, orderId, quantity });
const deduct = (orderId: string, quantity: number): ProductCommand => ({ type: 'DeductStock', sku, orderId, quantity });

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

    it("knows nothing of which order holds what: that is the order's reservation's record (so a hold costs the same on the millionth order)", () => {
      spec.given([created(10), reserved('order-1', 3)]).when(reserve('order-1', 3)).then([reserved('order-1', 3)]);
    });
  });

  describe('ReleaseStock', () => {
    it("gives back the quantity the order's reservation says it holds", () => {
      spec.given([created(), reserved('order-1', 3)]).when(release('order-1', 3)).then([released('order-1', 3)]);
    });

    it('never gives back more than is reserved, nor on a product that does not exist', () => {
      spec.given([created()]).when(release('order-1', 1)).thenRejects('conflict', /holds less than 1/);
      spec.given([created(), reserved('order-2', 3)]).when(release('order-1', 4)).thenRejects('conflict');
      spec.given([]).when(release('order-1', 1)).thenRejects('not_found');
      spec.given([created(), reserved('order-1', 3)]).when(release('order-1', 0)).thenRejects('invalid');
    });
  });

  describe('DeductStock', () => {
    it("takes the order's hold off the stock on hand", () => {
      spec.given([created(), reserved('order-1', 3)]).when(deduct('order-1', 3)).then([deducted('order-1', 3)]);
      expect(fold([created(10), reserved('order-1', 3), deducted('order-1', 3)])).toEqual({
        created: true,
        sku,
        name: 'Premium Widget',
        priceCents: 1999,
        onHand: 7,
        reserved: 0,
      });
    });

    it('never ships more than is reserved', () => {
      spec.given([created()]).when(deduct('order-1', 1)).thenRejects('conflict');
      spec.given([created(), reserved('order-1', 3), deducted('order-1', 3)]).when(deduct('order-1', 3)).thenRejects('conflict');
      spec.given([]).when(deduct('order-1', 3)).thenRejects('not_found');
    });
  });

  describe('evolve', () => {
    it('keeps two counts whatever the number of holds, and never mutates', () => {
      const before = Object.freeze(fold([created(10), reserved('order-1', 3)]));
      const after = evolveProduct(before, reserved('order-2', 4));
      expect(after).toMatchObject({ onHand: 10, reserved: 7 });
      expect(before).toMatchObject({ reserved: 3 });
      expect(evolveProduct(after, released('order-1', 3))).toMatchObject({ reserved: 4 });
      const many = fold([created(1_000_000), ...Array.from({ length: 5000 }, (_, n) => reserved(`order-${n}`, 1))]);
      expect(Object.keys(many)).toEqual(Object.keys(before));
      expect(many).toMatchObject({ onHand: 1_000_000, reserved: 5000 });
    });

    it('ignores, without throwing, an event for a product that does not exist, or a second creation', () => {
      const product = fold([created(10), reserved('order-1', 3)]);
      expect(evolveProduct(product, created(99))).toBe(product);
      expect(evolveProduct(initialProduct, restocked(5))).toBe(initialProduct);
      expect(evolveProduct(initialProduct, reserved('order-1', 5))).toBe(initialProduct);
      expect(evolveProduct(initialProduct, released('order-1', 5))).toBe(initialProduct);
      expect(evolveProduct(initialProduct, deducted('order-1', 5))).toBe(initialProduct);
    });
  });
});
