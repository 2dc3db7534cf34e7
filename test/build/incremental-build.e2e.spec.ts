import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('build, start and image', () => {
  it('starts the server process itself (signals reach it), after a build', () => {
    expect(scripts.start).toBe('node dist/main.js');
    expect(scripts.prestart).toBe('npm run build');
  });

  it("builds with the build script's project, and a second build with no source changed writes nothing", () => {
    // The compile step is the script's first command (the console's assets are copied after it).
    const [command, ...args] = scripts.build!.split(' && ')[0]!.split(' ');
    expect(command).toBe('tsc');
    const out = mkdtempSync(join(tmpdir(), 'build-'));
    try {
      // The build's own project, into a directory of the test's (the worktree's dist/ is left alone).
      const project = join(out, 'tsconfig.json');
      writeFileSync(
        project,
        JSON.stringify({
          extends: relative(out, join(root, args[args.length - 1]!)),
          compilerOptions: {
            outDir: join(out, 'dist'),
            tsBuildInfoFile: join(out, 'dist', '.tsbuildinfo'),
            rootDir: join(root, 'src'),
            typeRoots: [join(root, 'node_modules', '@types')],
          },
          include: [join(root, 'src')],
        }),
      );
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const build = () => execFileSync(process.execPath, [tsc, ...args.slice(0, -1), project], { cwd: root, stdio: 'pipe' });
      build();
      const main = join(out, 'dist', 'main.js');
      const first = statSync(main).mtimeMs;
      build();
      expect(statSync(main).mtimeMs).toBe(first);

      // The compiled CLI runs with node alone (the Docker image has no tsx): here it refuses a DATA_DIR with no store.
      const cli = spawnSync(process.execPath, [join(out, 'dist', 'cli', 'projections.js'), 'status'], {
        env: { ...process.env, NODE_PATH: join(root, 'node_modules'), DATA_DIR: join(out, 'no-data') },
        encoding: 'utf8',
      });
      expect(cli).toMatchObject({ status: 2, stderr: expect.stringContaining('no event store in DATA_DIR=') });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs in the image on a Node LTS line that is supported (even major, 22 or later), with the compiled service and CLI', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const major = Number(/^ARG NODE_IMAGE=node:(\d+)-[a-z]+-slim$/m.exec(dockerfile)?.[1]);
    expect(major % 2 === 0 && major >= 22).toBe(true);
    expect(dockerfile).toMatch(/^COPY --from=build .*\/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});
