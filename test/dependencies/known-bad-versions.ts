/**
 * Versions of packages known to be bad: published advisories (CVE/GHSA), packages hijacked on the
 * registry, and majors this code does not run on. The registry here answers no `npm audit`, so the
 * locked tree is checked against this list instead; add to it when an advisory names a package we
 * install. Each range is `[from, below)` (a missing end is open); `only` names exact versions.
 */
export interface KnownBad {
  readonly name: string;
  readonly from?: string;
  readonly below?: string;
  readonly only?: readonly string[];
  readonly why: string;
}

export const knownBad: readonly KnownBad[] = [
  { name: 'better-sqlite3', from: '13.0.0', why: 'this toolchain supports better-sqlite3 12 only (13 is not built for it)' },
  { name: 'better-sqlite3', below: '12.0.0', why: 'the store needs 12 (SQLite with the JSON functions and generated columns it indexes)' },
  { name: 'express', below: '5.0.0', why: 'the routers are written for express 5 (rejected promises reach the error handler; path-to-regexp 8 routes)' },
  { name: 'path-to-regexp', below: '0.1.12', why: 'CVE-2024-45296 / CVE-2024-52798: backtracking regular expressions (ReDoS)' },
  { name: 'path-to-regexp', from: '1.0.0', below: '1.9.0', why: 'CVE-2024-45296: ReDoS' },
  { name: 'path-to-regexp', from: '6.0.0', below: '6.3.0', why: 'CVE-2024-45296: ReDoS' },
  { name: 'body-parser', below: '1.20.3', why: 'CVE-2024-45590: denial of service with url encoding' },
  { name: 'cookie', below: '0.7.0', why: 'CVE-2024-47764: out-of-bounds characters in cookie name, path and domain' },
  { name: 'send', below: '0.19.0', why: 'CVE-2024-43799: template injection leading to XSS' },
  { name: 'serve-static', below: '1.16.0', why: 'CVE-2024-43800: template injection leading to XSS' },
  { name: 'qs', below: '6.10.3', why: 'CVE-2022-24999: prototype pollution' },
  { name: 'protobufjs', from: '7.0.0', below: '7.2.5', why: 'CVE-2023-36665: prototype pollution' },
  { name: 'protobufjs', below: '6.11.4', why: 'CVE-2023-36665: prototype pollution' },
  { name: '@grpc/grpc-js', below: '1.8.22', why: 'CVE-2024-37168: unbounded memory on large messages' },
  { name: '@grpc/grpc-js', from: '1.9.0', below: '1.9.15', why: 'CVE-2024-37168' },
  { name: '@grpc/grpc-js', from: '1.10.0', below: '1.10.9', why: 'CVE-2024-37168' },
  { name: 'dompurify', below: '3.2.4', why: 'CVE-2024-45801 / CVE-2025-26791: sanitiser bypass (mXSS) in the console’s diagrams' },
  { name: 'ws', from: '8.0.0', below: '8.17.1', why: 'CVE-2024-37890: denial of service with many headers' },
  { name: 'ws', below: '7.5.10', why: 'CVE-2024-37890' },
  { name: 'semver', below: '5.7.2', why: 'CVE-2022-25883: ReDoS' },
  { name: 'semver', from: '6.0.0', below: '6.3.1', why: 'CVE-2022-25883: ReDoS' },
  { name: 'semver', from: '7.0.0', below: '7.5.2', why: 'CVE-2022-25883: ReDoS' },
  { name: 'tar-fs', below: '2.1.4', why: 'CVE-2024-12905 / CVE-2025-48387 / CVE-2025-59343: extraction outside the target folder' },
  { name: 'tar-fs', from: '3.0.0', below: '3.1.1', why: 'CVE-2025-48387 / CVE-2025-59343' },
  { name: 'cross-spawn', from: '7.0.0', below: '7.0.5', why: 'CVE-2024-21538: ReDoS' },
  { name: 'braces', below: '3.0.3', why: 'CVE-2024-4068: unbounded memory' },
  { name: 'micromatch', below: '4.0.8', why: 'CVE-2024-4067: ReDoS' },
  { name: 'brace-expansion', from: '1.0.0', below: '1.1.12', why: 'CVE-2025-5889: ReDoS' },
  { name: 'brace-expansion', from: '2.0.0', below: '2.0.2', why: 'CVE-2025-5889: ReDoS' },
  { name: 'form-data', from: '4.0.0', below: '4.0.4', why: 'CVE-2025-7783: predictable multipart boundary' },
  { name: 'on-headers', below: '1.1.0', why: 'CVE-2025-7339: response headers manipulated' },
  { name: 'nanoid', below: '3.3.8', why: 'CVE-2024-55565: predictable ids from non-integer sizes' },
  // September 2025: maintainer account hijacked, these versions shipped a wallet-stealing payload.
  ...(
    [
      ['debug', '4.4.2'],
      ['chalk', '5.6.1'],
      ['ansi-styles', '6.2.2'],
      ['strip-ansi', '7.1.1'],
      ['ansi-regex', '6.2.1'],
      ['supports-color', '10.2.1'],
      ['color-convert', '3.1.1'],
      ['color-name', '2.0.1'],
      ['wrap-ansi', '9.0.1'],
      ['slice-ansi', '7.1.1'],
      ['simple-swizzle', '0.2.3'],
      ['error-ex', '1.3.3'],
      ['is-arrayish', '0.3.3'],
    ] as const
  ).map(([name, version]) => ({ name, only: [version], why: 'hijacked release (npm, September 2025): malicious code' })),
];

const parse = (version: string): number[] => version.split(/[-+]/)[0]!.split('.').map((part) => Number(part));

/** Compares release versions (x.y.z); a prerelease counts as its release. */
export const compareVersions = (a: string, b: string): number => {
  const [left, right] = [parse(a), parse(b)];
  for (let index = 0; index < 3; index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
};

export const isKnownBad = (entry: KnownBad, version: string): boolean =>
  entry.only !== undefined
    ? entry.only.includes(version)
    : (entry.from === undefined || compareVersions(version, entry.from) >= 0) && (entry.below === undefined || compareVersions(version, entry.below) < 0);

export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly production: boolean;
}

interface LockfileEntry {
  readonly name?: string;
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

/** Every package a lockfile (v2/v3) installs, named by the folder it lands in. */
export const lockedPackages = (lock: { readonly packages: Readonly<Record<string, LockfileEntry>> }): LockedPackage[] =>
  Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.version !== undefined && entry.link !== true)
    .map(([path, entry]) => ({
      name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
      version: entry.version!,
      production: entry.dev !== true && entry.devOptional !== true,
    }));

/** Each locked package that some entry of `list` names, with why. */
export const findKnownBad = (packages: readonly LockedPackage[], list: readonly KnownBad[] = knownBad): string[] =>
  packages.flatMap((locked) =>
    list
      .filter((entry) => entry.name === locked.name && isKnownBad(entry, locked.version))
      .map((entry) => `${locked.name}@${locked.version}: ${entry.why}`),
  );
