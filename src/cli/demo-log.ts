/** The live log as the demo reads it: `GET /api/events/stream` over HTTP, each event with what caused it. */

export interface DemoEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly aggregateType: string;
  readonly occurredAt: string;
  readonly payload: Record<string, unknown>;
  readonly metadata: { readonly causationId?: string; readonly correlationId?: string };
}

export interface FollowedLog {
  /** The types of an order's events seen so far, in store order. */
  types(orderId: string): string[];
  close(): void;
}

/** An event's cause in words: the event it reacted to, else the request or timer behind it. */
const causeOf = (event: DemoEvent, seen: ReadonlyMap<string, DemoEvent>): string => {
  const cause = event.metadata.causationId === undefined ? undefined : seen.get(event.metadata.causationId);
  if (cause !== undefined) return `${cause.eventType} (${cause.aggregateType})`;
  if (event.eventType === 'OrderCancelled' && event.payload.reason === 'timeout') return 'the payment deadline';
  return 'an HTTP request';
};

export const followLog = (url: string, adminToken: string, onEvent: (event: DemoEvent, cause: string) => void): FollowedLog => {
  const seen = new Map<string, DemoEvent>();
  const byOrder = new Map<string, string[]>();
  const controller = new AbortController();
  void (async () => {
    try {
      const response = await fetch(url, { headers: { authorization: `Bearer ${adminToken}`, accept: 'text/event-stream' }, signal: controller.signal });
      if (!response.ok || response.body === null) throw new Error(`the live log answered ${response.status}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((line) => line.startsWith('data:'));
          buffer = buffer.slice(end + 2);
          if (data === undefined) continue;
          const event = JSON.parse(data.slice(5)) as DemoEvent;
          seen.set(event.eventId, event);
          const orderId = event.payload.orderId;
          if (typeof orderId === 'string') byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), event.eventType]);
          onEvent(event, causeOf(event, seen));
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) process.stderr.write(`the live log failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  })();
  return { types: (orderId) => byOrder.get(orderId) ?? [], close: () => controller.abort() };
};
