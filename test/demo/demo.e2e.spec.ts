import { spawn } from 'node:child_process';
import { join } from 'node:path';

const demoScript = join(__dirname, '..', '..', 'src', 'cli', 'demo.ts');

/** CONTRACT §6: `npm run demo` walks every flow of §1, prints the cascade as it happens and a final table, and exits 0. */
describe('npm run demo', () => {
  it('prints every flow of CONTRACT §1, event by event with its cause, then the final states, and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', demoScript], { env: { ...process.env, LOG_LEVEL: 'silent' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, output }).toMatchObject({ code: 0 });

    const lines = output.split('\n');
    const cascade = (flow: string) => lines.filter((line) => line.includes(`(${flow})`)).map((line) => line.split(/\s{2,}/)[2]);
    // One line per event, as it happened: the seeds' story of an order placed, the modules notified, each reacting.
    expect(cascade('shipped and delivered')).toEqual(
      expect.arrayContaining(['OrderPlaced', 'InventoryReserved', 'OrderConfirmed', 'PaymentProcessed', 'OrderPaid', 'ShipmentCreated', 'OrderShipped', 'ShipmentDispatched', 'InventoryDeducted', 'ShipmentDelivered', 'OrderDelivered']),
    );
    expect(cascade('rejected: not enough stock')).toEqual(expect.arrayContaining(['OrderPlaced', 'InventoryReservationFailed', 'OrderRejected']));
    expect(cascade('payment declined')).toEqual(expect.arrayContaining(['PaymentFailed', 'OrderPaymentFailed', 'InventoryReleased']));
    expect(cascade('cancelled while paying')).toEqual(expect.arrayContaining(['OrderConfirmed', 'OrderCancelled', 'InventoryReleased', 'PaymentProcessed', 'PaymentRefunded']));
    expect(cascade('timed out')).toEqual(expect.arrayContaining(['OrderCancelled', 'InventoryReleased', 'PaymentRefunded']));
    expect(output).toMatch(/OrderPaid .* ← PaymentProcessed \(Payment\)/);
    expect(output).toMatch(/OrderCancelled .*\(timed out\) .* ← the payment deadline/);

    const table = lines.slice(lines.indexOf('final states'));
    for (const [flow, status] of <Array<[string, string]>>[
      ['shipped and delivered', 'DELIVERED'],
      ['rejected: not enough stock', 'REJECTED'],
      ['payment declined', 'PAYMENT_FAILED'],
      ['cancelled while paying', 'CANCELLED'],
      ['timed out', 'CANCELLED'],
    ]) {
      expect(table.find((line) => line.includes(flow))).toMatch(new RegExp(`${flow}\\s+${status}\\s`));
    }
    expect(output).toMatch(/every flow ended as CONTRACT §1 says/);
  });
});
