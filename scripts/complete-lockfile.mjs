#!/usr/bin/env node
/**
 * Records in package-lock.json the platform-specific optional packages (e.g. @swc/core-darwin-arm64)
 * that npm could not fetch when it wrote the lockfile.
 *
 * Why: the registry this project installs from answers 404 for other platforms' native binaries, so
 * npm 11 leaves them out of the lockfile, and then `npm ci` refuses that very lockfile ("Missing:
 * @swc/core-darwin-arm64@ from lock file"). Recorded as optional and restricted to the platform
 * their name says, every install skips them here and a machine of that platform fetches them.
 *
 * Runs as the root `postinstall`, after npm has written the lockfile; changes nothing when complete.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages ?? {};

const operatingSystems = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const cpus = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

/** `@swc/core-linux-arm64-musl` → { os: ['linux'], cpu: ['arm64'], libc: ['musl'] } */
const platformOf = (name) => {
  const parts = name.split('/').pop().split('-');
  const os = operatingSystems.find((candidate) => parts.includes(candidate));
  const cpu = cpus.find((candidate) => parts.includes(candidate));
  const libc = parts.includes('musl') ? 'musl' : parts.includes('gnu') && os === 'linux' ? 'glibc' : undefined;
  return { os, cpu, libc };
};

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path === '' ? '' : `${path}/`}node_modules/${name}`;
    if (packages[nested] !== undefined || packages[`node_modules/${name}`] !== undefined) continue;
    const { os, cpu, libc } = platformOf(name);
    if (os === undefined && cpu === undefined) continue; // not a platform binary: npm's own business
    packages[`node_modules/${name}`] = {
      version,
      optional: true,
      ...(os === undefined ? {} : { os: [os] }),
      ...(cpu === undefined ? {} : { cpu: [cpu] }),
      ...(libc === undefined ? {} : { libc: [libc] }),
    };
    added++;
  }
}

if (added > 0) {
  lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(`complete-lockfile: recorded ${added} platform-specific optional packages the registry did not serve\n`);
}
