/**
 * "CMUNeXt segmentation" mode for OHIF 3.13: the study with the CMUNeXt buttons, OHIF's labelmap segmentation panel,
 * and the brush, eraser and undo tools for correcting the result.
 */
const id = 'cmunext-segmentation';

const LAYOUT = '@ohif/extension-default.layoutTemplateModule.viewerLayout';
const SERIES_LIST = '@ohif/extension-default.panelModule.seriesList';
const SEGMENTATION_PANEL = '@ohif/extension-cornerstone.panelModule.panelSegmentationWithToolsLabelMap';
const VIEWPORT = '@ohif/extension-cornerstone.viewportModule.cornerstone';
const STACK = '@ohif/extension-default.sopClassHandlerModule.stack';
const READY = 'evaluate.cmunext.ready';

const button = (buttonId: string, icon: string, label: string, tooltip: string, commandName: string, evaluate: string) => ({
  id: buttonId,
  uiType: 'ohif.toolButton',
  props: { icon, label, tooltip, commands: [{ commandName }], evaluate },
});

const cmunextButtons = [
  button('CMUNeXtSegment', 'tool-segment-label', 'CMUNeXt segment', 'Segment the image shown with CMUNeXt (runs in this browser)', 'cmunextSegmentImage', READY),
  button('CMUNeXtSegmentSeries', 'tool-stack-scroll', 'CMUNeXt segment series', 'Segment every frame or slice of this series', 'cmunextSegmentSeries', READY),
  button('CMUNeXtStore', 'tool-capture', 'Store SEG', 'Store the segmentation to the PACS as DICOM SEG', 'cmunextStoreSeg', READY),
  button('CMUNeXtOpen', 'tool-annotate', 'Open stored SEG', 'Open the newest stored segmentation of this series for editing', 'cmunextOpenStoredSeg', READY),
];

const undoRedo = [
  { id: 'Undo', uiType: 'ohif.toolButton', props: { icon: 'prev-arrow', label: 'Undo', tooltip: 'Undo (Ctrl+Z)', commands: 'undo', evaluate: 'evaluate.action' } },
  { id: 'Redo', uiType: 'ohif.toolButton', props: { icon: 'next-arrow', label: 'Redo', tooltip: 'Redo (Ctrl+Y)', commands: 'redo', evaluate: 'evaluate.action' } },
];

function initToolGroup(extensionManager: any, toolGroupService: any): void {
  const { toolNames, Enums } = extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.tools').exports;
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
    const images = list.filter((m) => !['SEG', 'SR', 'PR', 'RTSTRUCT', 'DOC', 'ECG', 'SM'].includes(m));
    return { valid: images.length > 0, description: images.length ? 'Segment with CMUNeXt' : 'The study has no images to segment' };
  },
  routes: [
    {
      path: 'cmunext',
      layoutTemplate: () => ({
        id: LAYOUT,
        props: {
          leftPanels: [SERIES_LIST],
          rightPanels: [SEGMENTATION_PANEL],
          rightPanelClosed: false,
          viewports: [{ namespace: VIEWPORT, displaySetsToDisplay: [STACK] }],
        },
      }),
    },
  ],
  // The CMUNeXt extension is loaded from app-config; listing it here would make the mode import its id.
  // dicom-seg registers the evaluators OHIF's brush and eraser buttons use.
  extensions: { '@ohif/extension-default': '^3.0.0', '@ohif/extension-cornerstone': '^3.0.0', '@ohif/extension-cornerstone-dicom-seg': '^3.0.0' },
  sopClassHandlers: [STACK],
  hangingProtocol: 'default',
  onModeEnter({ servicesManager, extensionManager }: any) {
    const { toolbarService, toolGroupService, customizationService } = servicesManager.services;
    initToolGroup(extensionManager, toolGroupService);
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
  extensionDependencies: { '@ohif/extension-default': '^3.0.0', '@ohif/extension-cornerstone': '^3.0.0' },
};
