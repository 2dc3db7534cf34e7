import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

/** zod with `.openapi()`: the schemas that validate requests also describe them in the OpenAPI document. */
export { z };
