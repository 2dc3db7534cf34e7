/**
 * Proves that every rule in .dependency-cruiser.cjs fires (and that legal imports do not).
 *
 * Two throwaway trees mirroring the real layout are written under os.tmpdir(): one where each file
 * breaks exactly one rule, one that only makes legal imports. dependency-cruiser (ESM-only, with an
 * `import`-only exports map, so jest cannot require it) is run as a CLI with the real config and
 * cwd = the tree; its JSON output is parsed. Deleting (or breaking) a rule in the config fails the
 * matching test below.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE_PACKAGE = path.join(REPO_ROOT, 'node_modules', 'dependency-cruiser');

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}
interface CruiseOutput {
  summary: { violations: Violation[]; error: number };
}
interface Finding {
  rule: string;
  from: string;
  to: string;
}

type Tree = Record<string, string>;

/** Files shared by both trees: the manifest, a tsconfig like the real one and stub packages. */
const base: Tree = {
  'package.json': JSON.stringify({
    name: 'boundary-fixture',
    private: true,
    dependencies: { express: '*', inversify: '*' },
    devDependencies: { 'fast-check': '*' },
  }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'node20',
      moduleResolution: 'node16',
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
    },
    include: ['src'],
  }),
  ...stubPackage('express'),
  ...stubPackage('inversify'),
  ...stubPackage('fast-check'),
  'src/event-store/event-store.port.ts': 'export interface EventStore { append(): void }\n',
  'src/modules/orders/contracts/order-events.ts': 'export interface OrderPlaced { type: "OrderPlaced" }\n',
  'src/modules/inventory/contracts/inventory-events.ts': 'export interface StockReserved { type: "StockReserved" }\n',
};

/** Each file here breaks one rule; `expected` below lists exactly what must be reported. */
const violating: Tree = {
  ...base,
  // domain-is-pure
  'src/modules/orders/domain/x.ts': "import express from 'express';\nexport const x = express;\n",
  'src/modules/orders/domain/uses-fs.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'src/modules/orders/domain/uses-crypto.ts': "import { randomUUID } from 'crypto';\nexport const id = randomUUID;\n",
  'src/modules/orders/domain/uses-store.ts':
    "import type { EventStore } from '../../../event-store/event-store.port';\nexport type S = EventStore;\n",
  'src/modules/orders/domain/uses-application.ts':
    "import { handle } from '../application/handler';\nexport const h = handle;\n",
  'src/modules/orders/domain/uses-module.ts':
    "import { ordersModule } from '../orders.module';\nexport const m = ordersModule;\n",
  'src/shared/domain/uses-inversify.ts':
    "import { ContainerModule } from 'inversify';\nexport const c = ContainerModule;\n",
  'src/modules/orders/domain/uses-shared-logger.ts':
    "import { logger } from '../../../shared/logger';\nexport const l = logger;\n",
  'src/shared/logger.ts': 'export const logger = 1;\n',
  'src/modules/orders/application/handler.ts': 'export const handle = 1;\n',
  'src/modules/orders/orders.module.ts': 'export const ordersModule = 1;\n',
  // modules-only-through-contracts
  'src/modules/orders/application/y.ts': "import { z } from '../../inventory/domain/z';\nexport const y = z;\n",
  'src/modules/inventory/domain/z.ts': 'export const z = 1;\n',
  // no-circular (a type-only import counts)
  'src/shared/cycle-a.ts': "import type { B } from './cycle-b';\nexport interface A { b?: B }\n",
  'src/shared/cycle-b.ts': "import type { A } from './cycle-a';\nexport interface B { a?: A }\n",
  // shared-and-store-know-no-modules
  'src/shared/a.ts':
    "import type { OrderPlaced } from '../modules/orders/contracts/order-events';\nexport type E = OrderPlaced;\n",
  'src/event-store/projector.ts':
    "import type { OrderPlaced } from '../modules/orders/contracts/order-events';\nexport type P = OrderPlaced;\n",
  // not-to-unresolvable
  'src/shared/broken.ts': "import { nothing } from './does-not-exist';\nexport const n = nothing;\n",
  // not-to-dev-dep
  'src/shared/uses-dev-dep.ts': "import fc from 'fast-check';\nexport const arb = fc;\n",
};

const expected: Finding[] = [
  { rule: 'domain-is-pure', from: 'src/modules/orders/domain/x.ts', to: 'node_modules/express/index.js' },
  { rule: 'domain-is-pure', from: 'src/modules/orders/domain/uses-fs.ts', to: 'fs' },
  { rule: 'domain-is-pure', from: 'src/modules/orders/domain/uses-crypto.ts', to: 'crypto' },
  {
    rule: 'domain-is-pure',
    from: 'src/modules/orders/domain/uses-store.ts',
    to: 'src/event-store/event-store.port.ts',
  },
  {
    rule: 'domain-is-pure',
    from: 'src/modules/orders/domain/uses-application.ts',
    to: 'src/modules/orders/application/handler.ts',
  },
  {
    rule: 'domain-is-pure',
    from: 'src/modules/orders/domain/uses-module.ts',
    to: 'src/modules/orders/orders.module.ts',
  },
  { rule: 'domain-is-pure', from: 'src/shared/domain/uses-inversify.ts', to: 'node_modules/inversify/index.js' },
  { rule: 'domain-is-pure', from: 'src/modules/orders/domain/uses-shared-logger.ts', to: 'src/shared/logger.ts' },
  {
    rule: 'modules-only-through-contracts',
    from: 'src/modules/orders/application/y.ts',
    to: 'src/modules/inventory/domain/z.ts',
  },
  // dependency-cruiser reports a cycle once, at the first edge it meets.
  { rule: 'no-circular', from: 'src/shared/cycle-a.ts', to: 'src/shared/cycle-b.ts' },
  {
    rule: 'shared-and-store-know-no-modules',
    from: 'src/shared/a.ts',
    to: 'src/modules/orders/contracts/order-events.ts',
  },
  {
    rule: 'shared-and-store-know-no-modules',
    from: 'src/event-store/projector.ts',
    to: 'src/modules/orders/contracts/order-events.ts',
  },
  { rule: 'not-to-unresolvable', from: 'src/shared/broken.ts', to: './does-not-exist' },
  { rule: 'not-to-dev-dep', from: 'src/shared/uses-dev-dep.ts', to: 'node_modules/fast-check/index.js' },
];

/** Only legal imports: must produce zero violations. */
const clean: Tree = {
  ...base,
  'src/shared/domain/result.ts': 'export type Result<T> = { ok: true; value: T } | { ok: false };\n',
  // domain: its own contracts, another module's contracts (allowed by rule a), shared/domain.
  'src/modules/orders/domain/decide.ts': [
    "import type { OrderPlaced } from '../contracts/order-events';",
    "import type { StockReserved } from '../../inventory/contracts/inventory-events';",
    "import type { Result } from '../../../shared/domain/result';",
    'export type D = Result<OrderPlaced | StockReserved>;',
    '',
  ].join('\n'),
  // application: another module's contracts, its own domain, the store port, node core.
  'src/modules/orders/application/place-order.ts': [
    "import type { StockReserved } from '../../inventory/contracts/inventory-events';",
    "import type { D } from '../domain/decide';",
    "import type { EventStore } from '../../../event-store/event-store.port';",
    "import { readFileSync } from 'node:fs';",
    'export type P = [StockReserved, D, EventStore, typeof readFileSync];',
    '',
  ].join('\n'),
  'src/modules/orders/api/router.ts': "import express from 'express';\nexport const router = express;\n",
  'src/modules/orders/orders.module.ts':
    "import { ContainerModule } from 'inversify';\nimport { router } from './api/router';\nexport const ordersModule = [ContainerModule, router];\n",
  // dev dependencies are fine in specs and in testing/ folders.
  'src/shared/result.spec.ts': "import fc from 'fast-check';\nexport const arb = fc;\n",
  'src/event-store/testing/contract.ts': "import fc from 'fast-check';\nexport const arb = fc;\n",
};

function stubPackage(name: string): Tree {
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0', main: 'index.js' }),
    [`node_modules/${name}/index.js`]: 'module.exports = {};\n',
  };
}

function writeTree(root: string, tree: Tree): void {
  for (const [file, content] of Object.entries(tree)) {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

function depcruiseBin(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(DEPCRUISE_PACKAGE, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const bin = pkg.bin['depcruise'];
  if (bin === undefined) throw new Error('dependency-cruiser has no depcruise bin');
  return path.join(DEPCRUISE_PACKAGE, bin);
}

/** Runs `depcruise src --config <real config> --output-type json` in `cwd`; exits non-zero on violations. */
function cruise(cwd: string): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [depcruiseBin(), 'src', '--config', CONFIG, '--output-type', 'json'],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          const output = JSON.parse(stdout) as CruiseOutput;
          resolve(output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })));
        } catch (parseError) {
          reject(new Error(`depcruise produced no JSON (${String(error ?? parseError)}):\n${stderr}\n${stdout}`));
        }
      },
    );
  });
}

const byKey = (a: Finding, b: Finding): number =>
  `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`);

describe('module boundary rules (.dependency-cruiser.cjs)', () => {
  let workDir: string;
  let violations: Finding[];
  let cleanViolations: Finding[];

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boundary-rules-'));
    const violatingRoot = path.join(workDir, 'violating');
    const cleanRoot = path.join(workDir, 'clean');
    writeTree(violatingRoot, violating);
    writeTree(cleanRoot, clean);
    [violations, cleanViolations] = await Promise.all([cruise(violatingRoot), cruise(cleanRoot)]);
  }, 30_000);

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  const reported = (rule: string, from: string): Finding[] =>
    violations.filter((v) => v.rule === rule && v.from === from);

  it('modules-only-through-contracts: orders/application may not import inventory/domain', () => {
    expect(reported('modules-only-through-contracts', 'src/modules/orders/application/y.ts')).toEqual([
      expect.objectContaining({ to: 'src/modules/inventory/domain/z.ts' }),
    ]);
  });

  it.each([
    ['express', 'src/modules/orders/domain/x.ts'],
    ['node:fs', 'src/modules/orders/domain/uses-fs.ts'],
    ['a node core module without the node: prefix', 'src/modules/orders/domain/uses-crypto.ts'],
    ['the event store (type-only import)', 'src/modules/orders/domain/uses-store.ts'],
    ['its application layer', 'src/modules/orders/domain/uses-application.ts'],
    ['a *.module.ts', 'src/modules/orders/domain/uses-module.ts'],
    ['inversify (from shared/domain)', 'src/shared/domain/uses-inversify.ts'],
  ])('domain-is-pure: domain may not import %s', (_what, from) => {
    expect(reported('domain-is-pure', from)).toHaveLength(1);
  });

  it('no-circular: a two-file cycle is reported', () => {
    const cycle = ['src/shared/cycle-a.ts', 'src/shared/cycle-b.ts'];
    expect(violations.filter((v) => v.rule === 'no-circular' && cycle.includes(v.from))).toHaveLength(1);
  });

  it('shared-and-store-know-no-modules: shared and event-store may not import a module (even its contracts)', () => {
    expect(reported('shared-and-store-know-no-modules', 'src/shared/a.ts')).toHaveLength(1);
    expect(reported('shared-and-store-know-no-modules', 'src/event-store/projector.ts')).toHaveLength(1);
  });

  it('not-to-unresolvable: an import that resolves to nothing', () => {
    expect(reported('not-to-unresolvable', 'src/shared/broken.ts')).toEqual([
      expect.objectContaining({ to: './does-not-exist' }),
    ]);
  });

  it('not-to-dev-dep: production code may not import a devDependency', () => {
    expect(reported('not-to-dev-dep', 'src/shared/uses-dev-dep.ts')).toHaveLength(1);
  });

  it('reports exactly the expected violations and nothing else', () => {
    expect([...violations].sort(byKey)).toEqual([...expected].sort(byKey));
  });

  it('every rule in the config is proven to fire by this spec', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(CONFIG) as { forbidden: { name: string }[] };
    const configured = new Set(config.forbidden.map((r) => r.name));
    expect(new Set(expected.map((f) => f.rule))).toEqual(configured);
  });

  it('a clean tree (cross-module contracts, own contracts, specs and testing/ using dev deps) has no violations', () => {
    expect(cleanViolations).toEqual([]);
  });
});
