#!/usr/bin/env node
// The CLI demo: the default model segments a native-size breast ultrasound image and is evaluated on the
// project's validation cases, through the same code the viewer's worker runs.
'use strict';
const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { main } = require('../dist-node/cli/main.js');

const root = resolve(__dirname, '..');
const busi = process.env.BUSI_DIR ?? resolve(root, '../shared/data/busi');
const { defaultModel } = require('../extension/package.json').cmunext;
const model = join(root, 'models', defaultModel);
const validation = join(root, 'models/training/runs', defaultModel, 'val_cases.txt');
// A model refit on every training case (val_fraction 0) has trained on these cases too: say so, not "held out".
const heldOut = require(join(model, 'manifest.json')).training.config?.val_fraction !== 0;

(async () => {
  if (!existsSync(busi)) {
    console.error(`demo: BUSI data not found at ${busi}; set BUSI_DIR to the folder holding images256/, masks256/ and native/`);
    process.exit(1);
  }
  // A native-size case from the validation split (one the default model trained on if it held none out).
  const image = join(busi, 'native/images/malignant (145).png');
  let code = await main(['segment', '--model', model, '--input', image, '--out', join(root, 'out/demo-mask.png')]);
  if (code === 0) {
    console.log(heldOut
      ? '\nvalidation cases (never trained on), paper protocol at 256x256:'
      : '\nvalidation cases, paper protocol at 256x256; this model trained on them (it held no case out), so this is a training-set figure, not its accuracy on new images:');
    code = await main(['evaluate', '--model', model, '--images', join(busi, 'images256'), '--masks', join(busi, 'masks256'), '--cases', validation, '--size', '256', '--json']);
  }
  process.exitCode = code;
})();
