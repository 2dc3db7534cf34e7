import type { Router } from 'express';

/** What a module contributes to the HTTP API: its router, mounted at the root. */
export interface ModuleRouter {
  readonly name: string;
  readonly router: Router;
}
