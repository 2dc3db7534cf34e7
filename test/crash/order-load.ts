/** A small seeded generator (mulberry32), so that a failing run can be replayed with its seed. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export interface LoadOptions {
  /** One client per customer id, each placing and cancelling its own orders. */
  readonly customers: readonly string[];
  readonly skus: readonly string[];
  readonly random: () => number;
  /** Where the server is now; undefined while it is down (killed, not yet restarted). */
  readonly baseUrl: () => string | undefined;
  /** Share of orders paid with `tok_chargeDeclined`. */
  readonly declinedShare: number;
  /** Share of a client's turns spent cancelling one of its orders instead of placing one. */
  readonly cancelShare: number;
  /**
   * Share of the orders placed that their client watches and cancels the moment they are CONFIRMED
   * (racing the payment in flight) or PAID (racing the shipment).
   */
  readonly watchAndCancelShare: number;
  /** An admin restocking a random sku by `quantity` every `everyMs`, so that stock keeps coming back under the load. */
  readonly restock?: { readonly adminToken: string; readonly everyMs: number; readonly quantity: number };
}

export interface LoadStats {
  ordersPosted: number;
  /** POSTs answered 201: the orders the system promised to handle. */
  ordersAcknowledged: number;
  cancelsAccepted: number;
  cancelsRefused: number;
  /** Cancels sent the moment the order was seen CONFIRMED, or PAID. */
  cancelsWhenConfirmed: number;
  cancelsWhenPaid: number;
  readsAfterWrite: number;
  /** Requests that got no answer: the server died under them, or was not there. */
  unanswered: number;
  /** Answers the contract does not allow here (a 5xx, a 404 for an acknowledged order, ...). */
  unexpected: string[];
}

const address = { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Concurrent clients placing orders (1-2 skus, 1-3 each, some with a declined card), reading them
 * back, and cancelling some of the orders they placed, for as long as the load runs. A request the
 * server died under is not acknowledged and simply dropped, as a real client that got no answer
 * would see it.
 */
export class OrderLoad {
  /** Every order id a POST answered 201 for. */
  readonly acknowledged = new Set<string>();
  /** How many restocks of each sku were answered 200. */
  readonly restocksAcknowledged = new Map<string, number>();
  readonly stats: LoadStats = {
    ordersPosted: 0,
    ordersAcknowledged: 0,
    cancelsAccepted: 0,
    cancelsRefused: 0,
    cancelsWhenConfirmed: 0,
    cancelsWhenPaid: 0,
    readsAfterWrite: 0,
    unanswered: 0,
    unexpected: [],
  };
  private running = false;
  private clients: Array<Promise<void>> = [];

  constructor(private readonly options: LoadOptions) {}

  start(): void {
    this.running = true;
    this.clients = this.options.customers.map((customerId) => this.client(customerId));
    if (this.options.restock !== undefined) this.clients.push(this.restocker(this.options.restock));
  }

  /** Stops taking turns and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }

  private async client(customerId: string): Promise<void> {
    const mine: string[] = [];
    while (this.running) {
      const baseUrl = this.options.baseUrl();
      if (baseUrl === undefined) {
        await sleep(10);
        continue;
      }
      const answered =
        mine.length > 0 && this.options.random() < this.options.cancelShare
          ? await this.cancelOne(baseUrl, mine)
          : await this.placeOne(baseUrl, customerId, mine);
      if (!answered) await sleep(10);
    }
  }

  private async restocker({ adminToken, everyMs, quantity }: NonNullable<LoadOptions['restock']>): Promise<void> {
    while (this.running) {
      await sleep(everyMs);
      const baseUrl = this.options.baseUrl();
      if (baseUrl === undefined || !this.running) continue;
      const sku = this.options.skus[Math.floor(this.options.random() * this.options.skus.length)]!;
      const answer = await this.request(baseUrl, 'POST', `/api/products/${sku}/restock`, { quantity }, adminToken);
      if (answer === undefined) continue;
      if (answer.status === 200) this.restocksAcknowledged.set(sku, (this.restocksAcknowledged.get(sku) ?? 0) + 1);
      else this.stats.unexpected.push(`POST /api/products/${sku}/restock answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  }

  private async placeOne(baseUrl: string, customerId: string, mine: string[]): Promise<boolean> {
    const { random, skus, declinedShare } = this.options;
    const first = Math.floor(random() * skus.length);
    const lines = random() < 0.4 ? [skus[first]!, skus[(first + 1) % skus.length]!] : [skus[first]!];
    const body = {
      customerId,
      items: lines.map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 3) })),
      shippingAddress: address,
      paymentMethod: { token: random() < declinedShare ? 'tok_chargeDeclined' : 'tok_visa' },
    };
    this.stats.ordersPosted++;
    const answer = await this.request(baseUrl, 'POST', '/api/orders', body);
    if (answer === undefined) return false;
    if (answer.status !== 201) {
      this.stats.unexpected.push(`POST /api/orders answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return true;
    }
    const orderId = (answer.body as { orderId: string }).orderId;
    this.acknowledged.add(orderId);
    this.stats.ordersAcknowledged++;
    mine.push(orderId);
    if (random() < this.options.watchAndCancelShare) await this.watchAndCancel(baseUrl, orderId, random() < 0.4 ? 'CONFIRMED' : 'PAID');
    else if (random() < 0.2) await this.read(baseUrl, orderId);
    return true;
  }

  /** Read your own writes: a GET after the 201 never answers 404. */
  private async read(baseUrl: string, orderId: string): Promise<string | undefined> {
    const read = await this.request(baseUrl, 'GET', `/api/orders/${orderId}`);
    if (read === undefined) return undefined;
    this.stats.readsAfterWrite++;
    if (read.status !== 200) this.stats.unexpected.push(`GET /api/orders/${orderId} after its 201 answered ${read.status}`);
    return (read.body as { status?: string } | undefined)?.status;
  }

  /**
   * Watches the order and cancels it as soon as it is CONFIRMED (the cancel races the payment in
   * flight) or PAID (it races the shipment being created and dispatched).
   */
  private async watchAndCancel(baseUrl: string, orderId: string, when: 'CONFIRMED' | 'PAID'): Promise<void> {
    const stages = when === 'CONFIRMED' ? ['PENDING'] : ['PENDING', 'CONFIRMED'];
    for (let poll = 0; poll < 200 && this.running; poll++) {
      const status = await this.read(baseUrl, orderId);
      if (status === when) {
        if (when === 'CONFIRMED') this.stats.cancelsWhenConfirmed++;
        else this.stats.cancelsWhenPaid++;
        await this.cancel(baseUrl, orderId);
        return;
      }
      if (status === undefined || !stages.includes(status)) return;
    }
  }

  /** Cancels one of the client's orders, mostly a recent one so that the cancel races the saga. */
  private async cancelOne(baseUrl: string, mine: string[]): Promise<boolean> {
    const { random } = this.options;
    const recent = random() < 0.7;
    const index = recent ? mine.length - 1 - Math.floor(random() * Math.min(3, mine.length)) : Math.floor(random() * mine.length);
    return this.cancel(baseUrl, mine[index]!);
  }

  /** 202 (accepted) and 409 (too late) are both fine answers. */
  private async cancel(baseUrl: string, orderId: string): Promise<boolean> {
    const answer = await this.request(baseUrl, 'POST', `/api/orders/${orderId}/cancel`, { reason: 'changed my mind' });
    if (answer === undefined) return false;
    if (answer.status === 202) this.stats.cancelsAccepted++;
    else if (answer.status === 409) this.stats.cancelsRefused++;
    else this.stats.unexpected.push(`POST /api/orders/${orderId}/cancel answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return true;
  }

  private async request(
    baseUrl: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    adminToken?: string,
  ): Promise<{ status: number; body: unknown } | undefined> {
    // The server this turn began with was killed since: its port may be another process's by now.
    if (this.options.baseUrl() !== baseUrl) {
      this.stats.unanswered++;
      return undefined;
    }
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(adminToken === undefined ? {} : { authorization: `Bearer ${adminToken}` }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10000),
      });
      const text = await response.text();
      return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined };
    } catch {
      this.stats.unanswered++;
      return undefined;
    }
  }
}
