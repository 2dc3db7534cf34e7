import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { streamOwnershipFindings } from './stream-ownership';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const writeTree = (files: Record<string, string>): string => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stream-ownership-'));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
};

const contracts = {
  'src/modules/orders/contracts/order-events.ts':
    "export const orderCategory = 'Order';\nexport const asOrderEvent = narrowing<OrderEvent>(orderEventTypes);\n",
  'src/modules/inventory/contracts/inventory-events.ts': "export const inventoryCategory = 'Inventory';\n",
};

describe('every module owns its streams', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));
  const tree = (files: Record<string, string>) => {
    const root = writeTree({ ...contracts, ...files });
    roots.push(root);
    return root;
  };

  it('holds for this code: contracts export no builders, and no module names another module’s streams', () => {
    expect(streamOwnershipFindings(REPO_ROOT)).toEqual([]);
  });

  it('reports a contract that exports a stream-name or id builder', () => {
    const root = tree({
      'src/modules/orders/contracts/order-events.ts':
        "export const orderCategory = 'Order';\n" +
        'export const orderStream = (orderId: string): string => `${orderCategory}-${orderId}`;\n' +
        'export function paymentIdFor(orderId: string) { return orderId; }\n',
    });
    expect(streamOwnershipFindings(root)).toEqual([
      { rule: 'contract-exports-a-function', file: 'src/modules/orders/contracts/order-events.ts', text: 'export const orderStream = (orderId: string): string =>' },
      { rule: 'contract-exports-a-function', file: 'src/modules/orders/contracts/order-events.ts', text: 'export function paymentIdFor' },
    ]);
  });

  it('reports code outside a module that spells its streams, from the category or as a literal; its own module and comments may', () => {
    const root = tree({
      'src/modules/orders/application/saga.ts': 'import { inventoryCategory } from "x";\nexport const s = (id: string) => `${inventoryCategory}-${id}`;\n',
      'src/modules/payments/application/reaction.ts': "export const s = (id: string) => 'Order-' + id;\n",
      'src/http/live/router.ts': 'export const s = (id: string) => streamName(orderCategory, id);\n',
      'src/modules/orders/application/order-stream.ts': 'export const orderStream = (id: string) => `${orderCategory}-${id}`;\n',
      'src/modules/payments/application/commented.ts': '// reads `Order-<id>` no more\n/* nor `${orderCategory}-x` */\nexport const n = 1;\n',
    });
    expect(streamOwnershipFindings(root)).toEqual(
      expect.arrayContaining([
        { rule: 'names-anothers-stream', file: 'src/modules/orders/application/saga.ts', text: 'Inventory: ${inventoryCategory}-' },
        { rule: 'names-anothers-stream', file: 'src/modules/payments/application/reaction.ts', text: "Order: 'Order-" },
        { rule: 'names-anothers-stream', file: 'src/http/live/router.ts', text: 'Order: streamName(orderCategory' },
      ]),
    );
    expect(streamOwnershipFindings(root)).toHaveLength(3);
  });
});
