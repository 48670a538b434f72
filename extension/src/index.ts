/**
 * The OHIF extension: "CMUNeXt segment" commands and the evaluator that says why its buttons are disabled.
 * Loaded at run time by a prebuilt OHIF 3.13 viewer (app-config `extensions`), or bundled into a source build.
 */
import pkg from '../package.json';
import { ConfigError, resolveConfig } from './config';
import { notify } from './hostAdapter';
import { COMMANDS, READY_EVALUATOR } from './hostNames';
import { ExtensionParams } from './ohif';
import { CmunextTool } from './tool';

let tool: CmunextTool | undefined;
/** Why app-config `cmunext` cannot be used: the buttons stay disabled with it, and a command run anyway shows it. */
let configError: string | undefined;

function getTool(params: ExtensionParams): CmunextTool | undefined {
  if (tool || configError) return tool;
  const appConfig = params.extensionManager.appConfig ?? params.appConfig ?? {};
  try {
    tool = new CmunextTool(params, resolveConfig(appConfig.cmunext, {
      moduleUrl: import.meta.url,
      pageUrl: location.href,
      publicUrl: (window as { PUBLIC_URL?: string }).PUBLIC_URL,
    }, pkg.cmunext.defaultModel));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    configError = e.message;
    console.error(`CMUNeXt segment: ${configError}`);
  }
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
    /** Runs the action on the tool; without one (app-config unusable), says why instead. */
    const withTool = <A extends unknown[]>(action: (t: CmunextTool, ...args: A) => Promise<void>) => async (...args: A) => {
      const t = getTool(params);
      // No tool means getTool kept the reason.
      if (!t) return notify(params.servicesManager.services, 'error', 'CMUNeXt segment', configError!);
      return action(t, ...args);
    };
    const actions = {
      /** Segments the image shown in the active viewport and shows the result as a labelmap segment. */
      [COMMANDS.segmentImage]: withTool((t) => t.segmentImage()),
      /** Segments every frame or slice of the active viewport's series, with progress and cancel. */
      [COMMANDS.segmentSeries]: withTool((t) => t.segmentSeries()),
      /** Re-thresholds the kept probabilities: `{ threshold }` between 0 and 1. */
      [COMMANDS.setThreshold]: withTool((t, { threshold }: { threshold: number }) => t.setThreshold(threshold)),
      /** Stores the segmentation (AI output or its correction) as DICOM SEG to the PACS. */
      [COMMANDS.storeSeg]: withTool((t) => t.storeSeg()),
      /** Saves the same SEG(s) as DICOM files the browser downloads, for when the PACS will not take them. */
      [COMMANDS.saveSegFile]: withTool((t) => t.saveSegFile()),
      /** Starts the worker and readies the model (loaded, one warm-up run) ahead of the first click; the mode runs it on entry. */
      [COMMANDS.preload]: async () => getTool(params)?.preload(),
      /** Opens the newest stored SEG over the active series for editing. */
      [COMMANDS.openStoredSeg]: withTool((t) => t.openStoredSeg()),
      /** Opens the next study of the study list the reader came from (its filters and sorting). */
      [COMMANDS.nextStudy]: withTool((t) => t.stepStudy(1)),
      /** Opens the previous study of that list. */
      [COMMANDS.previousStudy]: withTool((t) => t.stepStudy(-1)),
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
        name: READY_EVALUATOR,
        evaluate: () => {
          const why = getTool(params)?.whyDisabled() ?? configError;
          return why ? { disabled: true, disabledText: why } : { disabled: false };
        },
      },
    ];
  },
};

export default extension;
