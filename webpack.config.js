// Browser bundles as ES modules in dist/: the inference worker (onnxruntime-web's own distribution files are
// emitted beside it). The OHIF extension and mode bundles join this list as entries of their own.
const path = require('node:path');

const typescript = {
  test: /\.ts$/,
  loader: 'ts-loader',
  exclude: /node_modules/,
  options: { configFile: 'tsconfig.json', compilerOptions: { module: 'es2020', moduleResolution: 'bundler', noEmit: false } },
};

module.exports = (env, argv) => ({
  name: 'worker',
  mode: argv.mode ?? 'production',
  target: 'webworker',
  entry: { 'cmunext-worker': './extension/src/worker.ts' },
  devtool: 'source-map',
  experiments: { outputModule: true },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
    module: true,
    chunkFormat: 'module',
    assetModuleFilename: 'ort/[name][ext]',
    clean: true,
  },
  resolve: { extensions: ['.ts', '.js', '.mjs'] },
  module: { rules: [typescript] },
  performance: { hints: false },
});
