// The console's page, styles and script are plain files: the build copies them beside the compiled router.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src/http/console/assets'), join(root, 'dist/http/console/assets'), { recursive: true });
