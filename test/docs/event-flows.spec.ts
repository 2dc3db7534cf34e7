import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventVersions } from '../../src/container';
import { inventoryEventTypes } from '../../src/modules/inventory/contracts/inventory-events';
import { orderEventTypes } from '../../src/modules/orders/contracts/order-events';
import { paymentEventTypes } from '../../src/modules/payments/contracts/payment-events';
import { shipmentEventTypes } from '../../src/modules/shipments/contracts/shipment-events';
import type { ProcessManager } from '../../src/event-store/consumer-groups.port';
import { SharedTokens } from '../../src/shared/tokens';
import { startTestSystem } from '../support/test-system';

/** The event types CONTRACT §2 requires. */
const contractEventTypes = [
  'OrderPlaced', 'OrderConfirmed', 'OrderRejected', 'OrderPaid', 'OrderPaymentFailed', 'OrderShipped', 'OrderDelivered',
  'OrderCancelled', 'ProductCreated', 'ProductRestocked', 'InventoryReserved', 'InventoryReservationFailed',
  'InventoryReleased', 'InventoryDeducted', 'PaymentProcessed', 'PaymentFailed', 'PaymentRefunded', 'ShipmentCreated',
  'ShipmentDispatched', 'ShipmentDelivered', 'ShipmentCancelled',
];

const declared: Record<string, readonly string[]> = {
  orders: orderEventTypes,
  inventory: inventoryEventTypes,
  payments: paymentEventTypes,
  shipments: shipmentEventTypes,
};

const document = readFileSync(join(__dirname, '..', '..', 'docs', 'EVENT_FLOWS.md'), 'utf8');

/** Rows of the catalog table: | `Type` | module: how | stream | reacts | */
const catalog = [...document.matchAll(/^\| `([A-Za-z]+)` \| ([a-z]+):[^|]*\| `([^`]+)` \|([^|\n]*)\|/gm)].map(
  ([, type, module, stream, reacts]) => ({
    type: type!,
    module: module!,
    stream: stream!,
    processManagers: [...reacts!.matchAll(/`([a-z]+(?:-[a-z]+)+)`/g)].map(([, name]) => name!).sort(),
  }),
);

describe('docs/EVENT_FLOWS.md', () => {
  it('lists every event type the code declares, and no other', () => {
    const inCode = Object.values(declared).flat().sort();
    expect(catalog.map((row) => row.type).sort()).toEqual(inCode);
  });

  it('names, for every event, the module that declares it', () => {
    for (const row of catalog) expect(declared[row.module]).toContain(row.type);
  });

  it('puts each event in a stream of its module category, as `<Category>-<id>`', () => {
    for (const row of catalog) expect(row.stream).toMatch(/^(Order|Product|Inventory|Payment|Shipment)-<[a-zA-Z]+>$/);
  });

  it('covers every event type of the contract', () => {
    const inCode = new Set(Object.values(declared).flat());
    expect(contractEventTypes.filter((type) => !inCode.has(type))).toEqual([]);
  });

  it("names in 'reacts' exactly the process managers that handle each event", async () => {
    const t = await startTestSystem({ SHIPMENT_AUTO_DISPATCH_MS: '1', SHIPMENT_AUTO_DELIVER_MS: '1' }, { autoStart: false });
    try {
      const processManagers = t.system.container.getAll<ProcessManager>(SharedTokens.ProcessManagers);
      const handledBy = new Map<string, string[]>();
      for (const processManager of processManagers) {
        for (const type of processManager.eventTypes) handledBy.set(type, [...(handledBy.get(type) ?? []), processManager.name].sort());
      }
      for (const row of catalog) expect({ type: row.type, processManagers: row.processManagers }).toEqual({ type: row.type, processManagers: handledBy.get(row.type) ?? [] });
      for (const type of handledBy.keys()) expect(catalog.map((row) => row.type)).toContain(type);
    } finally {
      await t.stop();
    }
  });

  it('lists each type with more than one version at its newest version, and no other', () => {
    const versionsSection = document.slice(document.indexOf('## Versions'), document.indexOf('## Event catalog'));
    const listed = [...versionsSection.matchAll(/^\| `([A-Za-z]+)` \| (\d+) \|/gm)].map(([, type, version]) => [type!, Number(version)] as const);
    expect(new Map(listed)).toEqual(eventVersions.versions());
  });

  it('draws every flow of the saga as a mermaid diagram', () => {
    const diagrams = [...document.matchAll(/### ([^\n]+)\n\n```mermaid\n([\s\S]*?)```/g)].map(([, title, body]) => ({ title: title!, body: body! }));
    expect(diagrams.map((diagram) => diagram.title)).toEqual(
      expect.arrayContaining(['Happy path', 'Insufficient stock', 'Payment declined', 'Cancellation (from PENDING, CONFIRMED or PAID) and the payment deadline']),
    );
    const drawn = diagrams.map((diagram) => diagram.body).join('\n');
    for (const row of catalog.filter((entry) => entry.processManagers.length > 0)) expect(drawn).toContain(row.type);
  });
});
