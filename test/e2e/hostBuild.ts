/**
 * What an OHIF source build does with the two packages, done here without OHIF's sources: install them from their
 * `npm pack` tarballs into an app folder, list them in a pluginConfig.json, write the import file OHIF's build writes
 * from it (each package imported by name), bundle it with webpack's defaults (so `import.meta.url` becomes a file: URL
 * of the build machine, as in OHIF's build), and copy each package's dist/ and public/ into the output root, as
 * OHIF's build does. The viewer then loads the two host-bundled entries.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpack from 'webpack';

export interface HostBuild {
  /** The output root: what the app would serve. */
  root: string;
  /** The host bundles' URLs under the root, for app-config. */
  modules: { extensions: string[]; modes: string[] };
}

const PACKAGES = { extensions: ['ohif-extension-cmunext'], modes: ['ohif-mode-cmunext'] };

/** OHIF's generated import file has this shape: a loader that imports each configured package by name. */
function pluginImports(config: typeof PACKAGES): string {
  const names = [...config.extensions, ...config.modes];
  return [
    `export const extensions = ${JSON.stringify(config.extensions)};`,
    `export const modes = ${JSON.stringify(config.modes)};`,
    'export async function loadModule(name) {',
    ...names.map((n) => `  if (name === ${JSON.stringify(n)}) return (await import(${JSON.stringify(n)})).default;`),
    '  throw new Error(`not in pluginConfig.json: ${name}`);',
    '}',
  ].join('\n');
}

export async function hostBuild(projectRoot: string, dir: string): Promise<HostBuild> {
  const app = join(dir, 'app');
  const src = join(app, 'src');
  const root = join(app, 'build');
  mkdirSync(src, { recursive: true });
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir, join(projectRoot, 'extension'), join(projectRoot, 'modes')], projectRoot)) as { filename: string }[];
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'host-app', private: true }));
  // The host provides @ohif/* (the packages' peers); this app has none, so peers are not installed.
  npm(['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--ignore-scripts', ...packed.map((p) => join(dir, p.filename))], app);
  writeFileSync(join(app, 'pluginConfig.json'), JSON.stringify({ extensions: PACKAGES.extensions.map((packageName) => ({ packageName })), modes: PACKAGES.modes.map((packageName) => ({ packageName })) }));
  writeFileSync(join(src, 'pluginImports.js'), pluginImports(PACKAGES));
  const entry = (name: string) => `import { loadModule } from './pluginImports.js';\nexport default await loadModule(${JSON.stringify(name)});\n`;
  writeFileSync(join(src, 'extension.js'), entry(PACKAGES.extensions[0]));
  writeFileSync(join(src, 'mode.js'), entry(PACKAGES.modes[0]));

  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    webpack(
      {
        mode: 'production',
        context: app,
        entry: { extension: './src/extension.js', mode: './src/mode.js' },
        experiments: { outputModule: true },
        output: { path: join(root, 'host'), publicPath: '/host/', filename: '[name].js', chunkFilename: '[name].[contenthash].js', module: true, chunkFormat: 'module', library: { type: 'module' } },
        // As OHIF 3.13's webpack.base.js resolves and optimises.
        resolve: { modules: [join(app, 'node_modules')], mainFields: ['module', 'browser', 'main'] },
        optimization: { sideEffects: false },
        performance: { hints: false },
      },
      (err, s) => (err || !s ? reject(err) : resolve(s)),
    ),
  );
  if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));

  for (const name of [...PACKAGES.extensions, ...PACKAGES.modes]) {
    for (const folder of ['dist', 'public']) {
      const from = join(app, 'node_modules', name, folder);
      if (existsSync(from)) cpSync(from, root, { recursive: true });
    }
  }
  return { root, modules: { extensions: ['/host/extension.js'], modes: ['/host/mode.js'] } };
}
