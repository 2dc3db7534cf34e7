/** What an id in a path or a filter looks like: any uuid, case-insensitive (order, payment and shipment ids alike). */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
