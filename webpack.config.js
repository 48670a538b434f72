// The two OHIF packages, built as ES modules (default export; a viewer loads them by URL, a source build by name):
//   extension/dist/cmunext/  the extension, the inference worker, and onnxruntime-web's own files beside it
//   extension/public/models/ the default model, which OHIF's build copies into the app beside dist/
//   modes/dist/cmunext/      the mode
// Both dist/ folders hold a cmunext/ folder, so copied into one web root they give /cmunext/ (see README).
const fs = require('node:fs');
const path = require('node:path');

const extensionPkg = require('./extension/package.json');

const common = (argv, outDir) => ({
  mode: argv.mode ?? 'production',
  devtool: 'source-map',
  experiments: { outputModule: true },
  resolve: { extensions: ['.ts', '.js', '.mjs'] },
  module: {
    rules: [{ test: /\.ts$/, loader: 'ts-loader', exclude: /node_modules/, options: { configFile: 'tsconfig.browser.json', compilerOptions: { noEmit: false } } }],
    // import.meta.url must stay the bundle's own URL at run time: the worker and models are found from it.
    parser: { javascript: { importMeta: false } },
  },
  output: {
    path: path.resolve(__dirname, outDir),
    filename: '[name].js',
    module: true,
    chunkFormat: 'module',
    library: { type: 'module' },
  },
  performance: { hints: false },
});

/** Copies the default model's manifest and weights into the extension package's public/models/. */
class CopyDefaultModel {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('CopyDefaultModel', () => {
      const id = extensionPkg.cmunext.defaultModel;
      const to = path.resolve(__dirname, 'extension/public/models', id);
      fs.rmSync(path.resolve(__dirname, 'extension/public'), { recursive: true, force: true });
      fs.mkdirSync(to, { recursive: true });
      for (const f of ['manifest.json', 'model.onnx']) fs.copyFileSync(path.resolve(__dirname, 'models', id, f), path.join(to, f));
    });
  }
}

module.exports = (env, argv) => {
  const worker = common(argv, 'extension/dist/cmunext');
  return [
    {
      ...worker,
      name: 'worker',
      target: 'webworker',
      entry: { 'cmunext-worker': './extension/src/worker.ts' },
      // onnxruntime-web finds its wasm through import.meta.url: webpack emits it into ort/.
      module: { ...worker.module, parser: undefined },
      output: { ...worker.output, library: undefined, assetModuleFilename: 'ort/[name][ext]' },
    },
    {
      ...common(argv, 'extension/dist/cmunext'),
      name: 'extension',
      target: 'web',
      entry: { 'cmunext-extension': './extension/src/index.ts' },
      plugins: [new CopyDefaultModel()],
    },
    { ...common(argv, 'modes/dist/cmunext'), name: 'mode', target: 'web', entry: { 'cmunext-mode': './modes/src/index.ts' } },
  ];
};
