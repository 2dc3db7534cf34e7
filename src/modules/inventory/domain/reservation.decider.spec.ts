import { deciderSpecification } from '../../../shared/testing/decider-specification';
import type { InventoryEvent, StockLine } from '../contracts/inventory-events';
import { evolveReservation, initialReservation, type Reservation } from './reservation';
import { type ReservationCommand, reservationDecider } from './reservation.decider';

const spec = deciderSpecification(reservationDecider);
const orderId = 'order-1';
const items: StockLine[] = [
  { sku: 'A-1', quantity: 2 },
  { sku: 'B-2', quantity: 1 },
];
const shortages = [{ sku: 'B-2', requested: 1, available: 0 }];
const held: StockLine[] = [{ sku: 'A-1', quantity: 2 }];

const confirm = (lines: StockLine[] = items, order = orderId): ReservationCommand => ({ type: 'ConfirmReservation', orderId: order, items: lines });
const fail = (overrides: Partial<Extract<ReservationCommand, { type: 'FailReservation' }>> = {}): ReservationCommand => ({
  type: 'FailReservation',
  orderId,
  reason: 'insufficient_stock',
  shortages,
  items,
  held,
  ...overrides,
});
const request = (lines: StockLine[] = items, order = orderId): ReservationCommand => ({ type: 'RequestReservation', orderId: order, items: lines });
const release = (order = orderId): ReservationCommand => ({ type: 'ReleaseReservation', orderId: order });
const deduct = (order = orderId): ReservationCommand => ({ type: 'DeductReservation', orderId: order });

const requested: InventoryEvent = { type: 'InventoryReservationRequested', data: { orderId, items } };
const reserved: InventoryEvent = { type: 'InventoryReserved', data: { orderId, reservations: items } };
const failed: InventoryEvent = { type: 'InventoryReservationFailed', data: { orderId, reason: 'insufficient_stock', shortages, items, held } };
const released: InventoryEvent = { type: 'InventoryReleased', data: { orderId, items } };
const deducted: InventoryEvent = { type: 'InventoryDeducted', data: { orderId, items } };

const fold = (events: readonly InventoryEvent[]): Reservation => events.reduce(evolveReservation, initialReservation);

describe('reservation decider', () => {
  describe('RequestReservation', () => {
    it('records the request before any product is touched', () => {
      spec.given([]).when(request()).then([requested]);
    });

    it('changes nothing once requested, whatever came after', () => {
      spec.given([requested]).when(request()).thenNothing();
      spec.given([requested, reserved]).when(request()).thenNothing();
      spec.given([requested, failed]).when(request()).thenNothing();
    });

    it("refuses items that are not an order, and another order's reservation", () => {
      spec.given([]).when(request([])).thenRejects('invalid');
      spec.given([requested]).when(request(items, 'order-2')).thenRejects('conflict', /order-1/);
    });
  });

  describe('ConfirmReservation', () => {
    it('records that every item is reserved, once requested (or, as reservations older than the request did, at once)', () => {
      spec.given([requested]).when(confirm()).then([reserved]);
      spec.given([]).when(confirm()).then([reserved]);
    });

    it('changes nothing once the outcome is recorded, whatever it was', () => {
      spec.given([reserved]).when(confirm()).thenNothing();
      spec.given([failed]).when(confirm()).thenNothing();
      spec.given([reserved, released]).when(confirm()).thenNothing();
      spec.given([reserved, deducted]).when(confirm()).thenNothing();
    });

    it.each<[string, StockLine[]]>([
      ['no item', []],
      ['a sku twice', [{ sku: 'A-1', quantity: 1 }, { sku: 'A-1', quantity: 2 }]],
      ['a quantity of 0', [{ sku: 'A-1', quantity: 0 }]],
      ['a fractional quantity', [{ sku: 'A-1', quantity: 1.5 }]],
      ['an empty sku', [{ sku: '', quantity: 1 }]],
    ])('refuses %s', (_what, lines) => {
      spec.given([]).when(confirm(lines)).thenRejects('invalid');
    });

    it("refuses another order's reservation", () => {
      spec.given([reserved]).when(confirm(items, 'order-2')).thenRejects('conflict', /order-1/);
    });
  });

  describe('FailReservation', () => {
    it('records the shortages, what was asked for and what was held', () => {
      spec.given([requested]).when(fail()).then([failed]);
      spec.given([]).when(fail()).then([failed]);
    });

    it('changes nothing once the outcome is recorded, whatever it was', () => {
      spec.given([failed]).when(fail()).thenNothing();
      spec.given([reserved]).when(fail()).thenNothing();
      spec.given([reserved, released]).when(fail()).thenNothing();
    });

    it('refuses a failure without a shortage', () => {
      spec.given([]).when(fail({ shortages: [] })).thenRejects('invalid', /shortages/);
    });

    it('refuses items that are not an order', () => {
      spec.given([]).when(fail({ items: [] })).thenRejects('invalid');
    });

    it("refuses another order's reservation", () => {
      spec.given([failed]).when(fail({ orderId: 'order-2' })).thenRejects('conflict');
    });
  });

  describe('ReleaseReservation', () => {
    it('releases a reserved order, naming its items', () => {
      spec.given([reserved]).when(release()).then([released]);
    });

    it('changes nothing unless the order is reserved', () => {
      spec.given([]).when(release()).thenNothing();
      spec.given([failed]).when(release()).thenNothing();
      spec.given([reserved, released]).when(release()).thenNothing();
      spec.given([reserved, deducted]).when(release()).thenNothing();
    });

    it("refuses another order's reservation", () => {
      spec.given([reserved]).when(release('order-2')).thenRejects('conflict');
    });

    it('asks to be called again while the reservation has no outcome (it is being made elsewhere)', () => {
      spec.given([requested]).when(release()).thenRejects('conflict', /no outcome yet/);
      spec.given([requested]).when(deduct()).thenRejects('conflict', /no outcome yet/);
    });
  });

  describe('DeductReservation', () => {
    it('deducts a reserved order, naming its items', () => {
      spec.given([reserved]).when(deduct()).then([deducted]);
    });

    it('changes nothing unless the order is reserved', () => {
      spec.given([]).when(deduct()).thenNothing();
      spec.given([failed]).when(deduct()).thenNothing();
      spec.given([reserved, deducted]).when(deduct()).thenNothing();
      spec.given([reserved, released]).when(deduct()).thenNothing();
    });

    it("refuses another order's reservation", () => {
      spec.given([reserved]).when(deduct('order-2')).thenRejects('conflict');
    });
  });

  describe('evolve', () => {
    it('keeps the first outcome and the first settlement, never throws, never mutates', () => {
      const state = Object.freeze(fold([reserved]));
      expect(evolveReservation(state, failed)).toBe(state);
      expect(evolveReservation(state, reserved)).toBe(state);
      expect(fold([reserved, released, deducted])).toMatchObject({ status: 'released' });
      expect(fold([reserved, deducted, released])).toMatchObject({ status: 'deducted' });
      expect(fold([failed, released])).toMatchObject({ status: 'failed', shortages, held });
      expect(fold([requested, reserved])).toEqual({ status: 'reserved', orderId, items });
      expect(fold([requested, requested])).toEqual({ status: 'requested', orderId, items });
      expect(fold([released])).toEqual(initialReservation);
      expect(state).toEqual({ status: 'reserved', orderId, items });
    });
  });
});
