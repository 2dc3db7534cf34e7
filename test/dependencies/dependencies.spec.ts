import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findKnownBad, isKnownBad, knownBad, lockedPackages } from './known-bad-versions';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Parameters<typeof lockedPackages>[0];
const locked = lockedPackages(lock);

/** Production packages installed (direct and transitive): raising it is a decision, see docs/DEPENDENCIES.md. */
const productionBudget = 320;

describe('the dependency tree', () => {
  it('installs no version known to be bad (advisories, hijacked releases, majors the code does not run on)', () => {
    expect(findKnownBad(locked)).toEqual([]);
  });

  it('pins each production dependency to the exact version locked', () => {
    const loose = Object.entries(manifest.dependencies)
      .filter(([name, range]) => range !== lock.packages[`node_modules/${name}`]?.version)
      .map(([name, range]) => `${name}: ${range} (locked ${lock.packages[`node_modules/${name}`]?.version ?? 'nothing'})`);
    expect(loose).toEqual([]);
  });

  it(`keeps the production tree within ${productionBudget} packages`, () => {
    expect(locked.filter((entry) => entry.production).length).toBeLessThanOrEqual(productionBudget);
  });

  it('catches a known-bad version in a lockfile: the check is not vacuous', () => {
    const tampered = {
      packages: {
        '': {},
        'node_modules/express': { version: '4.21.2' },
        'node_modules/better-sqlite3': { version: '13.0.1' },
        'node_modules/foo/node_modules/debug': { version: '4.4.2', dev: true },
        'node_modules/path-to-regexp': { version: '0.1.12' },
      },
    };
    expect(findKnownBad(lockedPackages(tampered))).toEqual([
      expect.stringMatching(/^express@4\.21\.2: /),
      expect.stringMatching(/^better-sqlite3@13\.0\.1: /),
      expect.stringMatching(/^debug@4\.4\.2: hijacked/),
    ]);
    const range = knownBad.find((entry) => entry.name === 'semver' && entry.from === '7.0.0')!;
    expect(['7.0.0', '7.5.1'].map((version) => isKnownBad(range, version))).toEqual([true, true]);
    expect(['6.9.9', '7.5.2', '8.0.0'].map((version) => isKnownBad(range, version))).toEqual([false, false, false]);
  });
});
