import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Admin routes need `Authorization: Bearer <ADMIN_TOKEN>`; compared in constant time, on digests so lengths do not leak. */
export const requireAdmin = (adminToken: string): RequestHandler => {
  const expected = digest(adminToken);
  return (request, response, next) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (match !== null && timingSafeEqual(digest(match[1]!), expected)) return next();
    response.setHeader('WWW-Authenticate', 'Bearer');
    next(new HttpProblem(401, 'unauthorized', 'Unauthorized', 'this route needs Authorization: Bearer <ADMIN_TOKEN>'));
  };
};
