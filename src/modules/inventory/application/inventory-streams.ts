import { inventoryCategory, productCategory } from '../contracts/inventory-events';

/** The inventory's own streams (a product's; an order's reservation): private to the inventory module. */
export const productStream = (sku: string): string => `${productCategory}-${sku}`;
export const inventoryStream = (orderId: string): string => `${inventoryCategory}-${orderId}`;
