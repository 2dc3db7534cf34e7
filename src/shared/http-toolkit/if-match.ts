import type { Request } from 'express';

const entityTag = /^"(\d{1,15})"$/;

/**
 * The revisions an `If-Match` header accepts (our ETags are `"<stream revision>"`), or undefined when
 * there is no condition (no header, or `*` on a resource that exists). Weak tags and anything else
 * never match (RFC 9110 compares If-Match strongly), so such a header is answered 412.
 */
export const ifMatchOf = (request: Request): readonly number[] | undefined => {
  const header = request.header('If-Match');
  if (header === undefined || header.trim() === '*') return undefined;
  return header
    .split(',')
    .map((tag) => entityTag.exec(tag.trim())?.[1])
    .filter((revision): revision is string => revision !== undefined)
    .map(Number);
};

export const etagOf = (revision: number): string => `"${revision}"`;
