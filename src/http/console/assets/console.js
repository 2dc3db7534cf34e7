// The operator's console: plain DOM, no build step, nothing loaded from outside the service.
// Everything live comes from the Server-Sent Event streams; nothing polls the server.

const statuses = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED'];
const statusAfter = {
  OrderPlaced: 'PENDING', OrderConfirmed: 'CONFIRMED', OrderRejected: 'REJECTED', OrderPaid: 'PAID',
  OrderPaymentFailed: 'PAYMENT_FAILED', OrderShipped: 'SHIPPED', OrderDelivered: 'DELIVERED', OrderCancelled: 'CANCELLED',
};
const moduleOf = { Order: 'Orders', Inventory: 'Inventory', Product: 'Inventory', Payment: 'Payments', Shipment: 'Shipments' };
// Who reacts to an event (docs/EVENT_FLOWS.md): the arrow goes there; an event nobody else follows is an arrow to itself.
const reactsTo = {
  OrderPlaced: 'Inventory', OrderConfirmed: 'Payments', OrderPaid: 'Shipments', OrderPaymentFailed: 'Inventory',
  OrderShipped: 'Shipments', OrderCancelled: 'Inventory', InventoryReserved: 'Orders', InventoryReservationFailed: 'Orders',
  PaymentProcessed: 'Orders', PaymentFailed: 'Orders', ShipmentCreated: 'Orders', ShipmentDispatched: 'Inventory',
  ShipmentDelivered: 'Orders',
};
const compensations = new Set(['InventoryReleased', 'PaymentRefunded', 'ShipmentCancelled']);

const main = document.getElementById('main');
const liveBadge = document.getElementById('live');

// ---- the admin token: typed once, kept for the tab's session ----
const token = {
  get: () => sessionStorage.getItem('adminToken') ?? '',
  set: (value) => (value ? sessionStorage.setItem('adminToken', value) : sessionStorage.removeItem('adminToken')),
};
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token');
const forget = document.getElementById('forget');
const showToken = () => {
  const has = token.get() !== '';
  tokenInput.hidden = has;
  tokenForm.querySelector('button[type=submit]').hidden = has;
  forget.hidden = !has;
};
tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  token.set(tokenInput.value.trim());
  tokenInput.value = '';
  location.reload();
});
forget.addEventListener('click', () => {
  token.set('');
  location.reload();
});
showToken();

// ---- small helpers ----
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
};
const badge = (text, kind = text) => el('span', { class: `badge s-${String(kind).split(' ')[0]}` }, text);
const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const money = (amount, currency = 'USD') => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
// Time-ordered (v7) ids share their first digits: the last ones tell orders apart.
const short = (id) => `…${id.slice(-10)}`;

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
  }
}

const api = async (path, options = {}) => {
  const headers = { ...(options.body ? { 'content-type': 'application/json' } : {}) };
  if (token.get()) headers.authorization = `Bearer ${token.get()}`;
  const response = await fetch(path, { ...options, headers });
  const body = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
};

// ---- Server-Sent Events over fetch (EventSource cannot send the admin token); resumes after the last id ----
let openStreams = 0;
const showLive = () => {
  liveBadge.textContent = openStreams > 0 ? 'live' : 'offline';
  liveBadge.classList.toggle('on', openStreams > 0);
};
const stream = (path, onEvent, { admin = false } = {}) => {
  let lastId;
  let stopped = false;
  let controller;
  const connect = async () => {
    while (!stopped) {
      controller = new AbortController();
      const headers = { accept: 'text/event-stream' };
      if (admin && token.get()) headers.authorization = `Bearer ${token.get()}`;
      if (lastId !== undefined) headers['last-event-id'] = lastId;
      let connected = false;
      try {
        const response = await fetch(path, { headers, signal: controller.signal });
        if (!response.ok || response.body === null) throw new ApiError(response.status);
        connected = true;
        openStreams++;
        showLive();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const fields = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) continue;
              const colon = line.indexOf(':');
              fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
            }
            if (fields.data === undefined) continue;
            lastId = fields.id;
            onEvent(JSON.parse(fields.data));
          }
        }
      } catch (error) {
        if (stopped) return;
        if (error instanceof ApiError && error.status === 401) return;
      } finally {
        if (connected) {
          openStreams--;
          showLive();
        }
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void connect();
  return { close: () => ((stopped = true), controller?.abort()) };
};

/** Calls `work` at most once per `ms`, the last call winning: many events in a burst make one refresh. */
const throttle = (work, ms) => {
  let timer;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void work();
    }, ms);
  };
};

// ---- the dashboard: orders, process managers, dead letters, read models ----
const dashboard = async () => {
  const ordersCard = el('section', { class: 'card', id: 'orders' });
  const side = el('div', { style: 'display:grid;gap:20px' });
  const managersCard = el('section', { class: 'card', id: 'process-managers' });
  const deadLettersCard = el('section', { class: 'card', id: 'dead-letters' });
  const readModelsCard = el('section', { class: 'card', id: 'read-models' });
  side.append(managersCard, deadLettersCard, readModelsCard);
  main.append(el('div', { class: 'grid' }, ordersCard, side));

  const openOrder = el('form', { class: 'open-order', onsubmit: (event) => {
    event.preventDefault();
    const id = event.target.elements.orderId.value.trim();
    if (id) location.href = `/console/orders/${encodeURIComponent(id)}`;
  } }, el('input', { name: 'orderId', placeholder: 'Open an order by its id' }), el('button', { type: 'submit' }, 'Open'));

  if (!token.get()) {
    ordersCard.append(el('h2', {}, 'Orders'), el('p', { class: 'hint' }, 'Type the admin token above to see the orders, the process managers and the read models live.'), openOrder);
    showLive();
    return;
  }

  // Orders: the list as the read model has it at a known position, then every Order event after it from the log stream.
  const orders = new Map();
  let position = '0';
  let filter = sessionStorage.getItem('statusFilter') ?? '';
  const tbody = el('tbody');
  const count = el('span', { class: 'count' });
  const filters = el('div', { class: 'filters' });
  const renderFilters = () => {
    filters.replaceChildren(...['', ...statuses].map((status) =>
      el('button', { class: status === filter ? 'on' : '', 'data-status': status, onclick: () => setFilter(status) }, status === '' ? 'All' : status)));
  };
  const renderOrders = (fresh) => {
    const rows = [...orders.values()].filter((order) => filter === '' || order.status === filter)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)).slice(0, 200);
    count.textContent = `${rows.length} shown`;
    tbody.replaceChildren(...(rows.length === 0 ? [el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No orders yet'))] : rows.map((order) =>
      el('tr', { class: `clickable${order.orderId === fresh ? ' fresh' : ''}`, 'data-order-id': order.orderId, onclick: () => (location.href = `/console/orders/${order.orderId}`) },
        el('td', {}, el('a', { href: `/console/orders/${order.orderId}`, class: 'mono' }, short(order.orderId))),
        el('td', {}, order.customerId),
        el('td', {}, badge(order.status)),
        el('td', { class: 'num' }, money(order.total, order.currency)),
        el('td', { class: 'num' }, time(order.updatedAt))))));
  };
  const load = async () => {
    const page = await api(`/api/orders?limit=100${filter ? `&status=${filter}` : ''}&minPosition=${position}`);
    for (const order of page.items) orders.set(order.orderId, order);
    renderOrders();
  };
  const setFilter = async (status) => {
    filter = status;
    sessionStorage.setItem('statusFilter', status);
    renderFilters();
    renderOrders();
    await load();
  };
  ordersCard.append(el('h2', {}, 'Orders ', count), filters,
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Order'), el('th', {}, 'Customer'), el('th', {}, 'Status'), el('th', { class: 'num' }, 'Total'), el('th', { class: 'num' }, 'Updated'))), tbody),
    openOrder);
  renderFilters();

  let projections;
  try {
    projections = await api('/api/admin/projections');
  } catch (error) {
    ordersCard.append(el('p', { class: 'error' }, error.status === 401 ? 'The admin token was refused: forget it and type it again.' : error.message));
    return;
  }
  position = projections.items.find((item) => item.name === 'orders')?.position ?? '0';
  await load();

  const onOrderEvent = (event) => {
    const orderId = event.payload.orderId;
    const existing = orders.get(orderId);
    const status = statusAfter[event.eventType];
    if (event.eventType === 'OrderPlaced') {
      const p = event.payload;
      orders.set(orderId, { orderId, customerId: p.customerId, status, total: p.total, currency: p.currency ?? 'USD', createdAt: event.occurredAt, updatedAt: event.occurredAt });
    } else if (existing !== undefined && status !== undefined) {
      orders.set(orderId, { ...existing, status, updatedAt: event.occurredAt });
    } else return;
    renderOrders(orderId);
  };

  // Process managers and dead letters: read again (once per burst) when events flow, which is when they change.
  const renderManagers = async () => {
    const [{ items }, dead] = await Promise.all([api('/api/admin/subscriptions'), api('/api/admin/dead-letters')]);
    managersCard.replaceChildren(el('h2', {}, 'Process managers ', el('span', { class: 'count' }, `${items.length}`)),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', { class: 'num' }, 'Checkpoint'), el('th', { class: 'num' }, 'Lag'), el('th', { class: 'num' }, 'Retries'), el('th', { class: 'num' }, 'Dead'))),
        el('tbody', {}, items.map((item) => el('tr', {}, el('td', {}, item.name), el('td', { class: 'num mono' }, item.checkpoint),
          el('td', { class: 'num' }, item.lag > 0 ? badge(String(item.lag), 'catching') : '0'), el('td', { class: 'num' }, item.retries),
          el('td', { class: 'num' }, item.deadLetters > 0 ? badge(String(item.deadLetters), 'failed') : '0'))))));
    deadLettersCard.replaceChildren(el('h2', {}, 'Dead letters ', el('span', { class: 'count' }, `${dead.items.length}`)),
      dead.items.length === 0 ? el('p', { class: 'hint' }, 'None: every event was handled.') :
        el('table', {}, el('tbody', {}, dead.items.map((letter) => el('tr', { 'data-dead-letter': String(letter.id) },
          el('td', {}, el('div', {}, el('b', {}, letter.eventType), ' → ', letter.subscription),
            letter.streamName.startsWith('Order-') ? el('a', { class: 'mono', href: `/console/orders/${letter.streamName.slice(6)}` }, letter.streamName) : el('span', { class: 'mono' }, letter.streamName),
            el('div', { class: 'hint mono' }, letter.error)),
          el('td', { class: 'num' }, el('button', { class: 'primary', onclick: async (event) => {
            event.target.disabled = true;
            event.target.textContent = 'Retrying…';
            try {
              await api(`/api/admin/dead-letters/${encodeURIComponent(letter.id)}/retry`, { method: 'POST' });
            } catch (error) {
              alert(`Retry failed: ${error.message}`);
            }
            await renderManagers();
          } }, 'Retry')))))));
  };
  // The read models' status comes from its own stream: a message at each change, the progress of a rebuild included.
  const renderReadModels = ({ items }) => {
    readModelsCard.replaceChildren(el('h2', {}, 'Read models'),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', { class: 'num' }, 'Position'), el('th', { class: 'num' }, 'Lag'), el('th', {}, 'Status'), el('th', {}))),
        el('tbody', {}, items.map((item) => el('tr', { 'data-read-model': item.name }, el('td', {}, item.name), el('td', { class: 'num mono' }, item.position),
          el('td', { class: 'num' }, item.lag), el('td', {}, badge(item.status, item.status === 'catching up' ? 'catching' : item.status),
            item.status === 'rebuilding' ? el('div', { class: 'progress', title: `${Math.round((item.progress ?? 0) * 100)}%` }, el('div', { style: `width:${(item.progress ?? 0) * 100}%` })) : '',
            item.lastRebuildError ? el('div', { class: 'error' }, item.lastRebuildError) : ''),
          el('td', { class: 'num' }, el('button', { disabled: item.status === 'rebuilding', onclick: async () => {
            await api(`/api/admin/projections/${encodeURIComponent(item.name)}/rebuild`, { method: 'POST' }).catch((error) => alert(error.message));
          } }, 'Rebuild')))))));
  };
  renderReadModels(projections);
  stream('/api/admin/projections/stream', renderReadModels, { admin: true });
  await renderManagers();
  const refresh = throttle(() => renderManagers().catch(() => undefined), 500);
  stream(`/api/events/stream?after=${position}`, (event) => {
    if (event.aggregateType === 'Order') onOrderEvent(event);
    refresh();
  }, { admin: true });
};

// ---- one order: its timeline as a sequence diagram, its state after each event, its saga ----
let diagrams = 0;
const sequenceDiagram = (events) => {
  const lines = ['sequenceDiagram', '    participant Orders', '    participant Inventory', '    participant Payments', '    participant Shipments'];
  for (const event of events) {
    const from = moduleOf[event.aggregateType] ?? 'Orders';
    const to = reactsTo[event.eventType] ?? from;
    const status = statusAfter[event.eventType];
    const label = `${event.eventType}${status ? ` (${status})` : ''}`;
    if (compensations.has(event.eventType)) {
      lines.push('    rect rgb(255, 228, 230)', `    ${from}-x${to}: ${label}`, `    Note right of ${from}: compensation`, '    end');
    } else lines.push(`    ${from}${to === from ? '->>' : '-->>'}${to}: ${label}`);
  }
  return lines.join('\n');
};

const orderPage = async (orderId) => {
  const head = el('section', { class: 'card', id: 'order' });
  const timelineCard = el('section', { class: 'card', id: 'timeline' }, el('h2', {}, 'Timeline'), el('div', { class: 'diagram', id: 'diagram' }));
  const eventsCard = el('section', { class: 'card', id: 'events' });
  const sagaCard = el('section', { class: 'card', id: 'saga' });
  main.append(head, el('div', { class: 'grid' }, el('div', { style: 'display:grid;gap:20px;min-width:0' }, timelineCard, eventsCard), sagaCard));

  let order;
  try {
    order = await api(`/api/orders/${encodeURIComponent(orderId)}`);
  } catch (error) {
    head.append(el('h2', {}, 'Order not found'), el('p', { class: 'hint' }, error.status === 404 ? `No order ${orderId}.` : error.message), el('a', { href: '/console' }, '← all orders'));
    return;
  }
  const renderHead = () => head.replaceChildren(el('div', { class: 'order-head' },
    el('a', { href: '/console' }, '← orders'), el('h1', {}, 'Order ', el('span', { class: 'mono' }, order.orderId)), badge(order.status),
    el('span', {}, order.customerId), el('b', {}, money(order.total, order.currency)),
    order.trackingNumber ? el('span', { class: 'mono' }, `tracking ${order.trackingNumber}`) : '', order.reason ? el('span', { class: 'error' }, order.reason) : ''));
  renderHead();

  const events = [];
  const states = new Map();
  let selected;
  const stateView = el('pre', { class: 'state', hidden: true });
  const tbody = el('tbody');
  const renderEvents = () => {
    eventsCard.replaceChildren(el('h2', {}, 'Events and the order after each ', el('span', { class: 'count' }, `${events.length}`)),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Time'), el('th', {}, 'Module'), el('th', {}, 'Event'), el('th', {}, 'Order after'), el('th', { class: 'num' }, 'Position'))), tbody), stateView);
    tbody.replaceChildren(...events.map((event) => {
      const state = states.get(event.position);
      return el('tr', { class: `clickable${compensations.has(event.eventType) ? ' comp' : ''}${selected === event.position ? ' selected' : ''}`, 'data-position': event.position, onclick: () => {
        selected = selected === event.position ? undefined : event.position;
        stateView.hidden = selected === undefined;
        stateView.textContent = selected === undefined ? '' : JSON.stringify(states.get(selected) ?? 'loading…', null, 2);
        renderEvents();
      } },
      el('td', { class: 'mono' }, time(event.occurredAt)), el('td', {}, moduleOf[event.aggregateType] ?? event.aggregateType),
      el('td', { class: 'type' }, event.eventType), el('td', { class: 'order-after' }, state ? badge(state.status) : '…'),
      el('td', { class: 'num mono' }, event.position));
    }));
  };
  const renderDiagram = throttle(async () => {
    while (window.mermaid === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    const { svg } = await window.mermaid.render(`sequence-${++diagrams}`, sequenceDiagram(events));
    document.getElementById('diagram').innerHTML = svg;
  }, 100);

  const renderSaga = async () => {
    if (!token.get()) {
      sagaCard.replaceChildren(el('h2', {}, 'Saga'), el('p', { class: 'hint' }, 'Type the admin token above to see the process manager’s state of this order.'));
      return;
    }
    const saga = await api(`/api/orders/${encodeURIComponent(orderId)}/saga`);
    const dueIn = Math.round((new Date(saga.deadline).getTime() - Date.now()) / 1000);
    const settled = ['SHIPPED', 'DELIVERED', 'REJECTED', 'PAYMENT_FAILED', 'CANCELLED', 'PAID'].includes(saga.status);
    sagaCard.replaceChildren(el('h2', {}, 'Saga ', badge(saga.status)),
      el('div', { class: 'steps' }, ['inventory', 'payment', 'shipping'].map((step) => el('div', { class: 'step', 'data-step': step }, el('b', {}, step), badge(saga.steps[step])))),
      el('dl', { class: 'kv' }, el('dt', {}, 'Payment deadline'), el('dd', { id: 'deadline' }, `${new Date(saga.deadline).toLocaleString()} `,
        el('span', { class: 'hint' }, settled ? '(no longer applies)' : dueIn >= 0 ? `(in ${dueIn} s)` : `(passed ${-dueIn} s ago)`)),
      el('dt', {}, 'Compensations'), el('dd', {}, saga.compensations.length === 0 ? 'none' : saga.compensations.map((c) => el('div', {}, `${c.eventType} at ${time(c.occurredAt)}`)))));
  };
  const refreshSaga = throttle(() => renderSaga().catch((error) => sagaCard.append(el('p', { class: 'error' }, error.message))), 200);

  const onEvent = async (event) => {
    events.push(event);
    renderEvents();
    renderDiagram();
    refreshSaga();
    const state = await api(`/api/orders/${encodeURIComponent(orderId)}?asOf=${event.position}`).catch(() => ({ status: 'none yet' }));
    states.set(event.position, state);
    if (state.orderId && event.position === events[events.length - 1].position) {
      order = state;
      renderHead();
    }
    renderEvents();
  };
  renderEvents();
  await renderSaga().catch(() => undefined);
  stream(`/api/orders/${encodeURIComponent(orderId)}/stream`, (event) => void onEvent(event));
};

const route = location.pathname.match(/^\/console\/orders\/([^/]+)$/);
if (window.mermaid === undefined) await new Promise((resolve) => window.addEventListener('load', resolve, { once: true }));
window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', sequence: { mirrorActors: false, messageFontSize: 13, actorFontSize: 13 } });
if (route) await orderPage(decodeURIComponent(route[1]));
else await dashboard();
