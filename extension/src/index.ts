/**
 * The OHIF extension: "CMUNeXt segment" commands and the evaluator that says why its buttons are disabled.
 * Loaded at run time by a prebuilt OHIF 3.13 viewer (app-config `extensions`), or bundled into a source build.
 */
import pkg from '../package.json';
import { assetBase } from './assets';
import { ExtensionParams } from './ohif';
import { CmunextTool } from './tool';

let tool: CmunextTool | undefined;

function getTool(params: ExtensionParams): CmunextTool {
  const appConfig = params.extensionManager.appConfig ?? params.appConfig ?? {};
  const config = appConfig.cmunext ?? {};
  const base = assetBase({
    moduleUrl: import.meta.url,
    pageUrl: location.href,
    publicUrl: (window as { PUBLIC_URL?: string }).PUBLIC_URL,
    configured: config.assetsUrl,
  });
  tool ??= new CmunextTool(params, {
    modelUrl: new URL(config.modelUrl ?? `../models/${pkg.cmunext.defaultModel}/`, base).href,
    workerUrl: new URL('cmunext-worker.js', base).href,
    backends: config.backends ?? ['webgpu', 'wasm'],
    contentCreatorName: config.contentCreatorName ?? '',
  });
  return tool;
}

const extension = {
  id: pkg.name,

  preRegistration(params: ExtensionParams) {
    getTool(params);
  },

  onModeExit() {
    tool?.dispose();
  },

  getCommandsModule(params: ExtensionParams) {
    const t = () => getTool(params);
    const actions = {
      /** Segments the image shown in the active viewport and shows the result as a labelmap segment. */
      cmunextSegmentImage: () => t().segmentImage(),
      /** Segments every frame or slice of the active viewport's series, with progress and cancel. */
      cmunextSegmentSeries: () => t().segmentSeries(),
      /** Re-thresholds the kept probabilities: `{ threshold }` between 0 and 1. */
      cmunextSetThreshold: ({ threshold }: { threshold: number }) => t().setThreshold(threshold),
      /** Stores the segmentation (AI output or its correction) as DICOM SEG to the PACS. */
      cmunextStoreSeg: () => t().storeSeg(),
      /** Opens the newest stored SEG over the active series for editing. */
      cmunextOpenStoredSeg: () => t().openStoredSeg(),
    };
    const definitions = Object.fromEntries(Object.entries(actions).map(([name, commandFn]) => [name, { commandFn }]));
    return { actions, definitions, defaultContext: 'VIEWER' };
  },

  getToolbarModule(params: ExtensionParams) {
    return [
      /**
       * Every button: an image must be shown and no run under way (a store during a series run would write a SEG of
       * part of it; Cancel keeps the frames done, for a store of those).
       */
      {
        name: 'evaluate.cmunext.ready',
        evaluate: () => {
          const why = getTool(params).whyDisabled();
          return why ? { disabled: true, disabledText: why } : { disabled: false };
        },
      },
    ];
  },
};

export default extension;
