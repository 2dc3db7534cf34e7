import type { ComposeOptions } from '../../src/container';
import { paymentsModule } from '../../src/modules/payments/payments.module';
import { startTestSystem, type TestSystem } from '../support/test-system';

/**
 * The system with the payments module loaded. (Until the module is one of src/container.ts's
 * `moduleContainers`, the default system does not have it; composeSystem's `modules` option loads it.)
 */
export const startPaymentsTestSystem = (environment: Record<string, string> = {}, options: ComposeOptions = {}): Promise<TestSystem> =>
  startTestSystem(environment, { modules: [paymentsModule], ...options });
