import { ConfigError, resolveConfig, ToolConfig } from '../../extension/src/config';

const place = { moduleUrl: 'https://pacs.example.org/cmunext/cmunext-extension.js', pageUrl: 'https://pacs.example.org/viewer/cmunext?StudyInstanceUIDs=1.2.3' };
const resolve = (raw: unknown) => resolveConfig(raw, place, 'cmunext-busi');

describe('resolveConfig: app-config cmunext', () => {
  const defaults: ToolConfig = {
    modelUrl: 'https://pacs.example.org/models/cmunext-busi/',
    workerUrl: 'https://pacs.example.org/cmunext/cmunext-worker.js',
    backends: ['webgpu', 'wasm'],
    contentCreatorName: '',
    workerIdleMinutes: 15,
    storeTimeoutSeconds: 120,
    seriesMemoryMB: 1024,
    openStoredSegs: true,
  };

  it.each<[string, unknown, Partial<ToolConfig>]>([
    ['absent: the defaults', undefined, {}],
    ['empty', {}, {}],
    ['the README example', { modelUrl: '/models/cmunext-busi/', backends: ['webgpu', 'wasm'], contentCreatorName: '' }, {}],
    ['a model by path, wasm only', { modelUrl: '/models/cmunext-s-busi', backends: ['wasm'] }, { modelUrl: 'https://pacs.example.org/models/cmunext-s-busi', backends: ['wasm'] }],
    ['a model relative to the assets', { modelUrl: '../models/mine/' }, { modelUrl: 'https://pacs.example.org/models/mine/' }],
    ['wasm tried before WebGPU', { backends: ['wasm', 'webgpu'] }, { backends: ['wasm', 'webgpu'] }],
    ['assets elsewhere: worker and default model follow', { assetsUrl: 'https://cdn.example.org/ai/cmunext' },
      { workerUrl: 'https://cdn.example.org/ai/cmunext/cmunext-worker.js', modelUrl: 'https://cdn.example.org/ai/models/cmunext-busi/' }],
    ['a creator name with ideographic group', { contentCreatorName: 'Doe^Jane=山田^太郎' }, { contentCreatorName: 'Doe^Jane=山田^太郎' }],
    ['the worker let go after 5 minutes idle', { workerIdleMinutes: 5 }, { workerIdleMinutes: 5 }],
    ['the model kept loaded', { workerIdleMinutes: 0 }, { workerIdleMinutes: 0 }],
    ['a slow PACS given 5 minutes to store', { storeTimeoutSeconds: 300 }, { storeTimeoutSeconds: 300 }],
    ['a workstation with memory to spare', { seriesMemoryMB: 4096 }, { seriesMemoryMB: 4096 }],
    ['stored SEGs opened only on request', { openStoredSegs: false }, { openStoredSegs: false }],
  ])('%s', (_, raw, expected) => {
    expect(resolve(raw)).toEqual({ ...defaults, ...expected });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'wasm', 'app-config cmunext must be an object, got "wasm"'],
    ['a list', ['wasm'], 'app-config cmunext must be an object, got ["wasm"]'],
    ['a misspelt key', { modelURL: '/models/x/' }, 'app-config cmunext: "modelURL" is not a setting (settings: modelUrl, assetsUrl, backends, contentCreatorName, workerIdleMinutes, storeTimeoutSeconds, seriesMemoryMB, openStoredSegs)'],
    ['backends as one string', { backends: 'wasm' }, 'app-config cmunext.backends must list "webgpu" and/or "wasm", in the order to try them, got "wasm"'],
    ['WebGL (no kernel for the model\'s Erf)', { backends: ['webgl', 'wasm'] }, 'app-config cmunext.backends must list "webgpu" and/or "wasm", in the order to try them, got ["webgl","wasm"]'],
    ['no backend', { backends: [] }, 'app-config cmunext.backends must list "webgpu" and/or "wasm", in the order to try them, got []'],
    ['a backend twice', { backends: ['wasm', 'wasm'] }, 'app-config cmunext.backends must list "webgpu" and/or "wasm", in the order to try them, got ["wasm","wasm"]'],
    ['a model URL that is not one', { modelUrl: 'http://[pacs/models/' }, 'app-config cmunext.modelUrl "http://[pacs/models/" is not a URL'],
    ['an empty model URL', { modelUrl: ' ' }, 'app-config cmunext.modelUrl must be a URL or path, got " "'],
    ['an assets URL that is a number', { assetsUrl: 42 }, 'app-config cmunext.assetsUrl must be a URL or path, got 42'],
    ['a creator name with a backslash', { contentCreatorName: 'Doe\\Jane' }, 'app-config cmunext.contentCreatorName must be a DICOM person name such as "Doe^Jane" (at most 64 characters, no backslash), got "Doe\\\\Jane"'],
    ['a creator name too long', { contentCreatorName: 'x'.repeat(65) }, `app-config cmunext.contentCreatorName must be a DICOM person name such as "Doe^Jane" (at most 64 characters, no backslash), got "${'x'.repeat(65)}"`],
    ['a creator name not a string', { contentCreatorName: { Alphabetic: 'Doe^Jane' } }, 'app-config cmunext.contentCreatorName must be a DICOM person name such as "Doe^Jane" (at most 64 characters, no backslash), got {"Alphabetic":"Doe^Jane"}'],
    ['idle minutes as a string', { workerIdleMinutes: '15' }, 'app-config cmunext.workerIdleMinutes must be a number of minutes, 0 or more (0 keeps the model loaded), got "15"'],
    ['no time to store', { storeTimeoutSeconds: 0 }, 'app-config cmunext.storeTimeoutSeconds must be a number of seconds above 0, got 0'],
    ['the open switch as text', { openStoredSegs: 'no' }, 'app-config cmunext.openStoredSegs must be true or false, got "no"'],
    ['a memory limit as text', { seriesMemoryMB: '1 GB' }, 'app-config cmunext.seriesMemoryMB must be a number of megabytes above 0, got "1 GB"'],
    ['negative idle minutes', { workerIdleMinutes: -1 }, 'app-config cmunext.workerIdleMinutes must be a number of minutes, 0 or more (0 keeps the model loaded), got -1'],
  ])('%s: refused, naming the setting', (_, raw, message) => {
    const thrown = (() => {
      try {
        resolve(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toBe(message);
  });
});
