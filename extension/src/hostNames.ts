/**
 * What the host names, in one place for the mode and the extension: OHIF 3.13's module, panel and toolbar ids, and
 * the modalities that hold no image to segment.
 */

/** The OHIF release whose ids these are; the packages' peer ranges and the mode's extension ranges say the same. */
export const OHIF_RANGE = '^3.13.0';

export const OHIF = {
  cornerstoneUtilities: '@ohif/extension-cornerstone.utilityModule.common',
  cornerstoneTools: '@ohif/extension-cornerstone.utilityModule.tools',
  layout: '@ohif/extension-default.layoutTemplateModule.viewerLayout',
  seriesList: '@ohif/extension-default.panelModule.seriesList',
  segmentationPanel: '@ohif/extension-cornerstone.panelModule.panelSegmentationWithToolsLabelMap',
  viewport: '@ohif/extension-cornerstone.viewportModule.cornerstone',
  stackHandler: '@ohif/extension-default.sopClassHandlerModule.stack',
} as const;

/** The toolbar evaluator every CMUNeXt button uses: disabled with the reason while the tool cannot act. */
export const READY_EVALUATOR = 'evaluate.cmunext.ready';

/** The commands the extension registers and the mode's buttons run. */
export const COMMANDS = {
  segmentImage: 'cmunextSegmentImage',
  segmentSeries: 'cmunextSegmentSeries',
  setThreshold: 'cmunextSetThreshold',
  storeSeg: 'cmunextStoreSeg',
  saveSegFile: 'cmunextSaveSegFile',
  openStoredSeg: 'cmunextOpenStoredSeg',
  nextStudy: 'cmunextNextStudy',
  previousStudy: 'cmunextPreviousStudy',
  preload: 'cmunextPreload',
} as const;

/**
 * The mode's keyboard shortcuts, in OHIF's hotkey definitions (customization `ohif.hotkeyBindings`): editable in
 * OHIF's hotkey preferences, and rebound by a deployment's customizations as OHIF's own are. Alt combinations,
 * which none of OHIF's default bindings use.
 */
export const HOTKEYS = [
  { commandName: COMMANDS.segmentImage, label: 'CMUNeXt segment', keys: ['alt+s'], isEditable: true },
  { commandName: COMMANDS.segmentSeries, label: 'CMUNeXt segment series', keys: ['alt+shift+s'], isEditable: true },
  { commandName: COMMANDS.storeSeg, label: 'CMUNeXt store SEG', keys: ['alt+enter'], isEditable: true },
  { commandName: COMMANDS.openStoredSeg, label: 'CMUNeXt open stored SEG', keys: ['alt+o'], isEditable: true },
  { commandName: COMMANDS.saveSegFile, label: 'CMUNeXt save SEG as file', keys: ['alt+f'], isEditable: true },
  { commandName: COMMANDS.nextStudy, label: 'Next study of the study list', keys: ['alt+n'], isEditable: true },
  { commandName: COMMANDS.previousStudy, label: 'Previous study of the study list', keys: ['alt+p'], isEditable: true },
] as const;

/**
 * Modalities of series with no image a stack viewport shows: segmentations, structures, reports, presentation
 * states, key objects, documents, waveforms, and whole-slide microscopy (which OHIF shows in a viewport of its own).
 */
export const NON_IMAGE_MODALITIES: readonly string[] = ['SEG', 'RTSTRUCT', 'RTPLAN', 'SR', 'PR', 'KO', 'DOC', 'ECG', 'SM'];

export const isImageModality = (modality: string | undefined) => !NON_IMAGE_MODALITIES.includes(modality ?? '');
