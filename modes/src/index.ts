/**
 * "CMUNeXt segmentation" mode for OHIF 3.13: the study with the CMUNeXt buttons, OHIF's labelmap segmentation panel,
 * and the brush, eraser and undo tools for correcting the result.
 */
import { COMMANDS, HOTKEYS, isImageModality, OHIF, OHIF_RANGE, READY_EVALUATOR } from '../../extension/src/hostNames';

const id = 'cmunext-segmentation';

const button = (buttonId: string, icon: string, label: string, tooltip: string, commandName: string, evaluate: string) => ({
  id: buttonId,
  uiType: 'ohif.toolButton',
  props: { icon, label, tooltip, commands: [{ commandName }], evaluate },
});

const cmunextButtons = [
  button('CMUNeXtSegment', 'tool-segment-label', 'CMUNeXt segment', 'Segment the image shown with CMUNeXt (runs in this browser)', COMMANDS.segmentImage, READY_EVALUATOR),
  button('CMUNeXtSegmentSeries', 'tool-stack-scroll', 'CMUNeXt segment series', 'Segment every frame or slice of this series', COMMANDS.segmentSeries, READY_EVALUATOR),
  button('CMUNeXtStore', 'tool-capture', 'Store SEG', 'Store the segmentation to the PACS as DICOM SEG', COMMANDS.storeSeg, READY_EVALUATOR),
  button('CMUNeXtOpen', 'tool-annotate', 'Open stored SEG', 'Open the newest stored segmentation of this series for editing', COMMANDS.openStoredSeg, READY_EVALUATOR),
];

const undoRedo = [
  { id: 'Undo', uiType: 'ohif.toolButton', props: { icon: 'prev-arrow', label: 'Undo', tooltip: 'Undo (Ctrl+Z)', commands: 'undo', evaluate: 'evaluate.action' } },
  { id: 'Redo', uiType: 'ohif.toolButton', props: { icon: 'next-arrow', label: 'Redo', tooltip: 'Redo (Ctrl+Y)', commands: 'redo', evaluate: 'evaluate.action' } },
];

function initToolGroup(extensionManager: any, toolGroupService: any): void {
  const { toolNames, Enums } = extensionManager.getModuleEntry(OHIF.cornerstoneTools).exports;
  const brush = (toolName: string, activeStrategy: string) => ({
    toolName,
    parentTool: 'Brush',
    configuration: { activeStrategy, minRadius: 0.5, maxRadius: 99.5 },
  });
  toolGroupService.createToolGroupAndAddTools('default', {
    active: [
      { toolName: toolNames.WindowLevel, bindings: [{ mouseButton: Enums.MouseBindings.Primary }] },
      { toolName: toolNames.Pan, bindings: [{ mouseButton: Enums.MouseBindings.Auxiliary }] },
      { toolName: toolNames.Zoom, bindings: [{ mouseButton: Enums.MouseBindings.Secondary }] },
      { toolName: toolNames.StackScroll, bindings: [{ mouseButton: Enums.MouseBindings.Wheel }] },
    ],
    passive: [
      brush('CircularBrush', 'FILL_INSIDE_CIRCLE'),
      brush('CircularEraser', 'ERASE_INSIDE_CIRCLE'),
      brush('SphereBrush', 'FILL_INSIDE_SPHERE'),
      brush('SphereEraser', 'ERASE_INSIDE_SPHERE'),
      { toolName: toolNames.WindowLevel },
    ],
  });
}

const modeInstance = {
  id,
  routeName: 'cmunext',
  displayName: 'CMUNeXt segmentation',
  isValidMode: ({ modalities }: { modalities: string }) => {
    const list = modalities.split('\\');
    const images = list.filter(isImageModality);
    return { valid: images.length > 0, description: images.length ? 'Segment with CMUNeXt' : 'The study has no images to segment' };
  },
  routes: [
    {
      path: 'cmunext',
      layoutTemplate: () => ({
        id: OHIF.layout,
        props: {
          leftPanels: [OHIF.seriesList],
          rightPanels: [OHIF.segmentationPanel],
          rightPanelClosed: false,
          viewports: [{ namespace: OHIF.viewport, displaySetsToDisplay: [OHIF.stackHandler] }],
        },
      }),
    },
  ],
  // The CMUNeXt extension is loaded from app-config; listing it here would make the mode import its id.
  // dicom-seg registers the evaluators OHIF's brush and eraser buttons use.
  extensions: { '@ohif/extension-default': OHIF_RANGE, '@ohif/extension-cornerstone': OHIF_RANGE, '@ohif/extension-cornerstone-dicom-seg': OHIF_RANGE },
  sopClassHandlers: [OHIF.stackHandler],
  hangingProtocol: 'default',
  onModeEnter({ servicesManager, extensionManager, commandsManager }: any) {
    const { toolbarService, toolGroupService, customizationService } = servicesManager.services;
    // The model loads and warms up while the reader looks at the study, not on the first click.
    commandsManager.runCommand(COMMANDS.preload);
    initToolGroup(extensionManager, toolGroupService);
    // Beside OHIF's own hotkeys; a deployment's customization of ohif.hotkeyBindings (or the reader's preferences) rebinds them.
    customizationService.setCustomizations({ 'ohif.hotkeyBindings': { $push: HOTKEYS } });
    const stock = (name: string) => (customizationService.getCustomization(name) as unknown[] | undefined) ?? [];
    toolbarService.register([...stock('cornerstone.toolbarButtons'), ...stock('cornerstone.segmentationToolbarButtons'), ...cmunextButtons, ...undoRedo]);
    toolbarService.updateSection(toolbarService.sections.primary, ['CMUNeXtSegment', 'CMUNeXtSegmentSeries', 'CMUNeXtStore', 'CMUNeXtOpen', 'WindowLevel', 'Pan', 'Zoom', 'Undo', 'Redo', 'Layout']);
    toolbarService.updateSection(toolbarService.sections.labelMapSegmentationToolbox, ['LabelMapTools']);
    toolbarService.updateSection('LabelMapTools', ['BrushTools']);
    toolbarService.updateSection('BrushTools', ['Brush', 'Eraser']);
  },
  onModeExit({ servicesManager }: any) {
    const { toolGroupService, syncGroupService, segmentationService, cornerstoneViewportService } = servicesManager.services;
    toolGroupService.destroy();
    syncGroupService.destroy();
    segmentationService.destroy();
    cornerstoneViewportService.destroy();
  },
};

export default {
  id,
  modeFactory: () => modeInstance,
  modeInstance,
  extensionDependencies: { '@ohif/extension-default': OHIF_RANGE, '@ohif/extension-cornerstone': OHIF_RANGE },
};
