import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../../src/shared/testing/eventually';
import { createProduct, eventsOf, eventuallyStatus, placeOrder } from '../saga/saga-support';
import { startTestSystem, type TestSystem } from '../support/test-system';

const document = readFileSync(join(__dirname, '..', '..', 'docs', 'EVENT_FLOWS.md'), 'utf8');
const eventTypes = [...document.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map(([, type]) => type!);

const diagramOf = (title: string): string => {
  const match = new RegExp(`### ${title.replace(/[()]/g, '\\$&')}\\n\\n\`\`\`mermaid\\n([\\s\\S]*?)\`\`\``).exec(document);
  if (match === null) throw new Error(`EVENT_FLOWS.md has no diagram "${title}"`);
  return match[1]!;
};

/**
 * What a diagram says comes before what: its lines in order, each event type at its first mention
 * (an arrow that hands an event on to another module repeats it). Events in different branches of a
 * `par … and … end` block are concurrent: no order between them; all of them follow what came before
 * the block and precede what follows it.
 */
export const orderOf = (diagram: string): { events: string[]; before: Array<[string, string]> } => {
  const seen = new Set<string>();
  const before: Array<[string, string]> = [];
  let preceding: string[] = [];
  let block: { start: string[]; branches: string[][] } | undefined;
  for (const line of diagram.split('\n').map((text) => text.trim())) {
    if (/^par\b/.test(line)) {
      block = { start: preceding, branches: [[]] };
      continue;
    }
    if (/^and\b/.test(line) && block !== undefined) {
      block.branches.push([]);
      preceding = block.start;
      continue;
    }
    if (line === 'end' && block !== undefined) {
      preceding = block.branches.flat();
      block = undefined;
      continue;
    }
    const named = [...line.matchAll(/\b([A-Z][A-Za-z]+)\b/g)].map(([, name]) => name!).filter((name) => eventTypes.includes(name) && !seen.has(name));
    for (const event of named) {
      for (const earlier of preceding) before.push([earlier, event]);
      seen.add(event);
      if (block !== undefined) {
        block.branches[block.branches.length - 1]!.push(event);
        preceding = [...block.start, ...block.branches[block.branches.length - 1]!];
      } else preceding = [...preceding, event];
    }
  }
  return { events: [...seen], before };
};

/** The pairs of the diagram that the store wrote the other way round, and what it drew that the run did not write. */
const disagreements = (diagram: string, stored: readonly string[]) => {
  const { events, before } = orderOf(diagram);
  const first = (type: string) => stored.indexOf(type);
  return {
    notWritten: events.filter((type) => first(type) === -1),
    reversed: before.filter(([a, b]) => first(a) !== -1 && first(b) !== -1 && first(a) > first(b)).map(([a, b]) => `${a} before ${b}`),
  };
};

describe('docs/EVENT_FLOWS.md draws each flow in the order the store writes it', () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    await createProduct(t, 'FLOW-A', 100);
    await createProduct(t, 'FLOW-B', 1);
  });
  afterAll(() => t.stop());

  const typesOf = async (orderId: string) => (await eventsOf(t, orderId)).map((event) => event.type);

  it('happy path, dispatched and delivered', async () => {
    const orderId = await placeOrder(t, [{ sku: 'FLOW-A', quantity: 1 }]);
    const { shipmentId } = await eventuallyStatus(t, orderId, 'SHIPPED');
    await t.admin().post(`/api/shipments/${shipmentId}/dispatch`).send({}).expect(200);
    await eventually(async () => expect(await typesOf(orderId)).toContain('InventoryDeducted'));
    await t.admin().post(`/api/shipments/${shipmentId}/deliver`).send({}).expect(200);
    await eventuallyStatus(t, orderId, 'DELIVERED');
    expect(disagreements(diagramOf('Happy path'), await typesOf(orderId))).toEqual({ notWritten: [], reversed: [] });
  });

  it('insufficient stock, with stock held on another sku', async () => {
    const orderId = await placeOrder(t, [{ sku: 'FLOW-A', quantity: 1 }, { sku: 'FLOW-B', quantity: 5 }]);
    await eventuallyStatus(t, orderId, 'REJECTED');
    await eventually(async () => expect(await typesOf(orderId)).toContain('ProductStockReleased'));
    expect(disagreements(diagramOf('Insufficient stock'), await typesOf(orderId))).toEqual({ notWritten: [], reversed: [] });
  });

  it('payment declined', async () => {
    const orderId = await placeOrder(t, [{ sku: 'FLOW-A', quantity: 1 }], 'tok_chargeDeclined');
    await eventuallyStatus(t, orderId, 'PAYMENT_FAILED');
    await eventually(async () => expect(await typesOf(orderId)).toContain('InventoryReleased'));
    await eventually(async () => expect(await typesOf(orderId)).toContain('ProductStockReleased'));
    expect(disagreements(diagramOf('Payment declined'), await typesOf(orderId))).toEqual({ notWritten: [], reversed: [] });
  });

  it('reads concurrency from par blocks, and sees an order drawn the wrong way round', () => {
    const drawn = 'A->>A: OrderPlaced\npar x\n  A->>A: OrderConfirmed\nand y\n  A->>A: OrderRejected\nend\nA->>A: OrderPaid';
    expect(disagreements(drawn, ['OrderPlaced', 'OrderRejected', 'OrderConfirmed', 'OrderPaid'])).toEqual({ notWritten: [], reversed: [] });
    expect(disagreements(drawn, ['OrderPlaced', 'OrderPaid', 'OrderConfirmed', 'OrderRejected']).reversed).toEqual([
      'OrderConfirmed before OrderPaid',
      'OrderRejected before OrderPaid',
    ]);
  });
});
