import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';

/** What a module contributes to the HTTP API: its router, mounted at the root, and its OpenAPI paths. */
export interface ModuleRouter {
  readonly name: string;
  readonly router: Router;
  /** Registers the same zod schemas the router validates with. */
  registerOpenApi(registry: OpenAPIRegistry): void;
}
