// Jest runs tests in a separate realm; onnxruntime-node's native binding hands back typed arrays from Node's own
// realm, which then fail onnxruntime-common's `instanceof Float32Array` checks. Sharing the typed-array
// constructors with the test realm makes both agree, as in a plain Node process.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const SHARED = ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array',
  'Int32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

class NodeRealmEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
