// @ts-check
/**
 * Module boundaries of the modular monolith. Run with `npm run boundaries`
 * (`depcruise src --config .dependency-cruiser.cjs`).
 *
 * Every path below is relative to the current working directory (dependency-cruiser's base
 * dir), so the same file also checks the throwaway trees in test/boundaries/.
 * tsPreCompilationDeps: true, so `import type` counts as a dependency everywhere.
 */
const { builtinModules } = require('node:module');

/** Escapes a string for use inside a RegExp source. (No `x(/.*)?` tails: dependency-cruiser rejects
 * star-height > 1 as an unsafe regex.) */
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Node core modules, with or without `node:` prefix (and subpaths such as fs/promises). */
const NODE_CORE = `^(node:)?(${[...new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]))]
  .map(escapeRegExp)
  .join('|')})(/|$)`;

/** Packages that do I/O or wire infrastructure; matched whether resolved or not, and their @types. */
const IO_PACKAGES = ['express', 'inversify', 'better-sqlite3', '@eventstore/db-client', 'pino', 'supertest', 'uuid']
  .map(escapeRegExp)
  .join('|');
const IO_PACKAGE_PATHS = [`(^|/)node_modules/(@types/)?(${IO_PACKAGES})/`, `^(${IO_PACKAGES})(/|$)`];

const MODULE = '^src/modules/([^/]+)/';
const DOMAIN = ['^src/modules/[^/]+/domain/', '^src/shared/domain/'];
const TEST_CODE = ['\\.spec\\.ts$', '(^|/)testing/'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'modules-only-through-contracts',
      comment:
        'A module may only use another module through that module\'s contracts/ (the events it publishes). ' +
        'Anything else (domain, application, read-models, api, *.module.ts) is private to its module.',
      severity: 'error',
      from: { path: MODULE },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/contracts/'] },
    },
    {
      name: 'domain-is-pure',
      comment:
        'domain/ holds pure decide/evolve functions: no I/O libraries, no node core modules, no event store, ' +
        'no application/api/read-models code and no DI wiring (*.module.ts).',
      severity: 'error',
      from: { path: DOMAIN, pathNot: '\\.spec\\.ts$' },
      to: {
        path: [
          NODE_CORE,
          ...IO_PACKAGE_PATHS,
          '^src/event-store/',
          '^src/shared/(?!domain/)',
          '^src/modules/[^/]+/(application|api|read-models)/',
          '\\.module\\.ts$',
        ],
      },
    },
    {
      name: 'no-circular',
      comment: 'This dependency is part of a cycle (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-and-store-know-no-modules',
      comment: 'src/shared and src/event-store are used by the modules; they must not depend on any of them.',
      severity: 'error',
      from: { path: ['^src/shared/', '^src/event-store/'] },
      to: { path: '^src/modules/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'This import cannot be resolved to a file or to a package in package.json/node_modules.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'Production code under src/ may not use devDependencies (they are not installed in production). ' +
        'Specs (*.spec.ts) and src/**/testing/** may. Type-only imports and @types/* are fine.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['(^|/)node_modules/@types/'],
      },
    },
  ],
  options: {
    doNotFollow: { path: ['(^|/)node_modules/'] },
    exclude: { path: ['^(dist|coverage|data)/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
