// Bundles the web UI (src/ui) into dist/ui: one ES module, one stylesheet, index.html. Run by `npm run build`.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'ui');
await mkdir(out, { recursive: true });
// zod re-exports every locale through one namespace, which defeats tree-shaking; the UI speaks English only.
const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join('node_modules', 'zod')}`) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path) }));
  },
};

await build({
  plugins: [englishOnly],
  entryPoints: [join(root, 'src', 'ui', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  tsconfig: join(root, 'src', 'ui', 'tsconfig.json'),
});
await copyFile(join(root, 'src', 'ui', 'index.html'), join(out, 'index.html'));
await copyFile(join(root, 'src', 'ui', 'styles.css'), join(out, 'app.css'));
