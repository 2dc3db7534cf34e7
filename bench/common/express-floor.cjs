// The HTTP floor of the saga bench: express 5 alone, answering POST /api/orders with 201 and the
// parsed body echoed back with an id. Nothing of ours runs; its port goes to stdout.
const { randomUUID } = require('node:crypto');
const express = require('express');

const app = express();
app.disable('x-powered-by');
app.post('/api/orders', express.json({ limit: 64 * 1024 }), (request, response) => {
  response.status(201).json({ orderId: randomUUID(), status: 'PENDING', ...request.body });
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
