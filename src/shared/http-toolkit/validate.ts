import type { Request } from 'express';
import type { z } from 'zod';

/** Parses a part of the request; a ZodError becomes a 400 problem with `errors[]` in the problem middleware. */
export const parseBody = <Schema extends z.ZodType>(schema: Schema, request: Request): z.infer<Schema> =>
  schema.parse(request.body ?? {});

export const parseParams = <Schema extends z.ZodType>(schema: Schema, request: Request): z.infer<Schema> =>
  schema.parse(request.params);

export const parseQuery = <Schema extends z.ZodType>(schema: Schema, request: Request): z.infer<Schema> =>
  schema.parse(request.query);
