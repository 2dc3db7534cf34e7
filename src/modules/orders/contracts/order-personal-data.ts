import type { PersonalDataSpec } from '../../../event-store/personal-data/personal-data-spec';

/**
 * The personal data in orders' events (CONTRACT §7): an order's shipping address, the customer's.
 * Reviewed payload by payload: no other event of any module carries a field that identifies a
 * person (the customer id is an opaque id, kept so that the audit trail still adds up; payment
 * tokens are kept only by reference, in the secret store).
 */
export const orderPersonalData: readonly PersonalDataSpec[] = [{ eventType: 'OrderPlaced', subjectField: 'customerId', fields: ['shippingAddress'] }];
