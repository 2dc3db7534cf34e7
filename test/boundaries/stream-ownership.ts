import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Streams are private to the module that writes them. Over a source tree, finds:
 * - `contract-exports-a-function`: a module's `contracts/` exporting a function (a stream-name or
 *   id builder, say). Contracts publish event types, event-type lists, narrowers and category
 *   names; a narrower is made by `narrowing(...)`, not written as a function.
 * - `names-anothers-stream`: code outside a module that spells one of its stream names, from its
 *   category constant (`${orderCategory}-…`, `streamName(orderCategory, …)`) or as a literal
 *   (`'Order-…'`). Comments are not code.
 * Spec files are left out: tests may look into any stream.
 */
export interface StreamFinding {
  readonly rule: 'contract-exports-a-function' | 'names-anothers-stream';
  readonly file: string;
  readonly text: string;
}

interface Category {
  readonly module: string;
  readonly constant: string;
  readonly name: string;
}

const sourceFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });

const withoutComments = (source: string): string => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');

const categoriesOf = (root: string): Category[] => {
  const modules = path.join(root, 'src', 'modules');
  return fs.readdirSync(modules).flatMap((module) => {
    const contracts = path.join(modules, module, 'contracts');
    if (!fs.existsSync(contracts)) return [];
    return sourceFiles(contracts).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/export const (\w+Category) = '([A-Za-z]+)'/g)].map(([, constant, name]) => ({
        module,
        constant: constant!,
        name: name!,
      })),
    );
  });
};

const moduleOf = (root: string, file: string): string | undefined => {
  const parts = path.relative(path.join(root, 'src', 'modules'), file).split(path.sep);
  return parts[0] === '..' || parts.length < 2 ? undefined : parts[0];
};

const spellings = ({ constant, name }: Category): RegExp[] => [
  new RegExp(`\\$\\{${constant}\\}-`),
  new RegExp(`streamName\\(\\s*${constant}\\b`),
  new RegExp(`['"\`]${name}-`),
];

export const streamOwnershipFindings = (root: string): StreamFinding[] => {
  const categories = categoriesOf(root);
  const findings: StreamFinding[] = [];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const relative = path.relative(root, file).split(path.sep).join('/');
    const code = withoutComments(fs.readFileSync(file, 'utf8'));
    const owner = moduleOf(root, file);
    if (/^src\/modules\/[^/]+\/contracts\//.test(relative)) {
      for (const [text] of code.matchAll(/export (?:async )?function \w+|export const \w+ = (?:async )?(?:\([^)]*\)|\w+)\s*(?::[^=]+)?=>/g)) {
        findings.push({ rule: 'contract-exports-a-function', file: relative, text: text! });
      }
    }
    for (const category of categories.filter((candidate) => candidate.module !== owner)) {
      for (const spelling of spellings(category)) {
        const match = spelling.exec(code);
        if (match !== null) findings.push({ rule: 'names-anothers-stream', file: relative, text: `${category.name}: ${match[0]}` });
      }
    }
  }
  return findings;
};
