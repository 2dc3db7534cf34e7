import express, { type RequestHandler } from 'express';
import { HttpProblem } from './problem';

export const bodyLimitBytes = 64 * 1024;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** CONTRACT §3: JSON nested deeper than this is refused with 400. */
export const maxBodyDepth = 32;

type BodyFault = { readonly kind: 'forbidden-key'; readonly key: string } | { readonly kind: 'too-deep' };

/**
 * Walks the parsed body with a stack of its own, not by recursion: 64 KiB of `[` is a valid body
 * 65,536 levels deep, and a recursive walk overflows the call stack on it.
 */
const findBodyFault = (body: unknown): BodyFault | undefined => {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value: body, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxBodyDepth) return { kind: 'too-deep' };
    for (const key of Object.keys(value)) {
      if (forbiddenKeys.has(key)) return { kind: 'forbidden-key', key };
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return undefined;
};

/**
 * Keys that could reach an object's prototype are refused outright, at any depth, and so are bodies
 * nested deeper than `maxBodyDepth`. (A reviver cannot do this: body-parser strips the own
 * properties of any error thrown while parsing.)
 */
const refuseUnsafeBodies: RequestHandler = (request, _response, next) => {
  const fault = findBodyFault(request.body);
  if (fault === undefined) return next();
  if (fault.kind === 'too-deep') {
    return next(new HttpProblem(400, 'too-deep', 'Bad Request', `the request body is nested deeper than ${maxBodyDepth} levels`));
  }
  next(new HttpProblem(400, 'forbidden-key', 'Bad Request', `the key "${fault.key}" is not allowed in a request body`));
};

const hasBody = (headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/** A body, when there is one, must be JSON: anything else is answered 415 before it is read. */
export const requireJsonContentType: RequestHandler = (request, _response, next) => {
  if (!hasBody(request.headers) || request.is(['application/json', 'application/*+json'])) return next();
  next(
    new HttpProblem(
      415,
      'unsupported-media-type',
      'Unsupported Media Type',
      `request bodies must be application/json, not ${request.headers['content-type'] ?? 'untyped'}`,
    ),
  );
};

/** For the routes that take a body; mounted per route so that an unknown route is a 404 whatever it is sent. */
export const jsonBody = (): RequestHandler[] => [
  requireJsonContentType,
  express.json({ limit: bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }),
  refuseUnsafeBodies,
];
