import express, { type RequestHandler } from 'express';
import { HttpProblem } from './problem';

export const bodyLimitBytes = 64 * 1024;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

const findForbiddenKey = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    if (forbiddenKeys.has(key)) return key;
    const nested = findForbiddenKey((value as Record<string, unknown>)[key]);
    if (nested !== undefined) return nested;
  }
  return undefined;
};

/**
 * Keys that could reach an object's prototype are refused outright, at any depth. (A reviver cannot
 * do this: body-parser strips the own properties of any error thrown while parsing.)
 */
const refusePrototypeKeys: RequestHandler = (request, _response, next) => {
  const key = findForbiddenKey(request.body);
  if (key === undefined) return next();
  next(new HttpProblem(400, 'forbidden-key', 'Bad Request', `the key "${key}" is not allowed in a request body`));
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
  refusePrototypeKeys,
];
