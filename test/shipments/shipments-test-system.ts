import type { ComposeOptions } from '../../src/container';
import { shipmentsModule } from '../../src/modules/shipments/shipments.module';
import { startTestSystem, type TestSystem } from '../support/test-system';

/**
 * The system with the shipments module loaded. (Until the module is one of src/container.ts's
 * `moduleContainers`, the default system does not have it; composeSystem's `modules` option loads it.)
 */
export const startShipmentsTestSystem = (environment: Record<string, string> = {}, options: ComposeOptions = {}): Promise<TestSystem> =>
  startTestSystem(environment, { modules: [shipmentsModule], ...options });
