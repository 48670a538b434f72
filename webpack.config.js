// Browser bundles as ES modules in dist/: the OHIF extension and mode (loaded by the viewer's app-config with
// import(), default export), and the inference worker with onnxruntime-web's own files emitted beside it.
const path = require('node:path');

const common = (argv) => ({
  mode: argv.mode ?? 'production',
  devtool: 'source-map',
  experiments: { outputModule: true },
  resolve: { extensions: ['.ts', '.js', '.mjs'] },
  module: {
    rules: [{ test: /\.ts$/, loader: 'ts-loader', exclude: /node_modules/, options: { configFile: 'tsconfig.browser.json', compilerOptions: { noEmit: false } } }],
  },
  performance: { hints: false },
});

module.exports = (env, argv) => [
  {
    ...common(argv),
    name: 'worker',
    target: 'webworker',
    entry: { 'cmunext-worker': './extension/src/worker.ts' },
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: '[name].js',
      module: true,
      chunkFormat: 'module',
      assetModuleFilename: 'ort/[name][ext]',
    },
  },
  {
    ...common(argv),
    name: 'viewer',
    target: 'web',
    module: {
      ...common(argv).module,
      // import.meta.url must stay the bundle's own URL at run time: the worker and models are found beside it.
      parser: { javascript: { importMeta: false } },
    },
    entry: { 'cmunext-extension': './extension/src/index.ts', 'cmunext-mode': './modes/src/index.ts' },
    output: {
      path: path.resolve(__dirname, 'dist'),
      filename: '[name].js',
      module: true,
      chunkFormat: 'module',
      library: { type: 'module' },
    },
  },
];
