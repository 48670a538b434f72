#!/usr/bin/env node
'use strict';
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist-node', 'cli', 'main.js'));
} catch (e) {
  if (e.code !== 'MODULE_NOT_FOUND') throw e;
  console.error('cmunext: not built yet; run `npm run build` in ' + path.resolve(__dirname, '..'));
  process.exit(1);
}
cli.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
