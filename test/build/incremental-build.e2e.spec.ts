import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('npm start', () => {
  it('starts the server process itself (signals reach it), after a build', () => {
    expect(scripts.start).toBe('node dist/main.js');
    expect(scripts.prestart).toBe('npm run build');
  });

  it("builds with the build script's project, and a second build with no source changed writes nothing", () => {
    const [command, ...args] = scripts.build!.split(' ');
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
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
