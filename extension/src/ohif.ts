import type { cache, imageLoader, metaData, Types, utilities } from '@cornerstonejs/core';
import type { CONSTANTS, segmentation } from '@cornerstonejs/tools';
import type { StudyRow, StudySearch } from './controller/studyList';

/**
 * The few OHIF 3.13 services and Cornerstone3D 5.6.8 objects this extension uses. The host provides them at run
 * time (@ohif/core ships no type declarations); only the host adapter and the module entry points touch them.
 */
export interface Notification {
  title: string;
  message: string;
  type: 'info' | 'success' | 'warning' | 'error';
  duration?: number;
}

export type Rgba = [number, number, number, number];

export interface OhifServices {
  viewportGridService: { getActiveViewportId(): string; getDisplaySetsUIDsForViewport(viewportId: string): string[] };
  cornerstoneViewportService: {
    getCornerstoneViewport(viewportId: string): CornerstoneViewport | undefined;
    EVENTS: { VIEWPORT_DATA_CHANGED: string };
    subscribe(event: string, listener: (detail: unknown) => void): { unsubscribe(): void };
  };
  displaySetService: { getDisplaySetByUID(uid: string): DisplaySet | undefined };
  segmentationService: {
    createLabelmapForDisplaySet(displaySet: DisplaySet, options: { label: string; segments: Record<number, { label: string; active?: boolean }> }): Promise<string>;
    /** `config.colorLUTOrIndex`: Cornerstone's colour LUT for the representation (RGBA per segment number). */
    addSegmentationRepresentation(viewportId: string, options: { segmentationId: string; config?: { colorLUTOrIndex?: Rgba[] } }): Promise<void>;
    getSegmentation(segmentationId: string): { segments: Record<number, { label: string } | undefined> } | undefined;
    getSegmentationRepresentations(viewportId: string, filter?: { segmentationId?: string }): unknown[];
    remove(segmentationId: string): void;
  };
  uiNotificationService: { show(n: Notification): void };
  toolbarService: {
    register(buttons: unknown[]): void;
    updateSection(section: string, ids: string[]): void;
    sections: Record<string, string>;
    refreshToolbarState?(args: { viewportId?: string }): void;
  };
  toolGroupService: { createToolGroupAndAddTools(id: string, tools: unknown): unknown; destroy(): void };
  customizationService: { getCustomization(name: string): unknown };
  syncGroupService: { destroy(): void };
  /** Present where the viewer signs users in (OIDC); its header is what OHIF's own DICOMweb requests send. */
  userAuthenticationService?: {
    getAuthorizationHeader?(): { Authorization?: string } | undefined;
    /** The signed-in OIDC user, its claims in `profile`. */
    getUser?(): { profile?: unknown } | undefined | void;
  };
  [name: string]: any;
}

export interface DisplaySet {
  displaySetInstanceUID: string;
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  Modality?: string;
  imageIds?: string[];
  instances?: Record<string, unknown>[];
}

/** The Cornerstone3D objects the host adapter uses, typed by Cornerstone3D 5.6.8's own declarations (the host's). */
export type CornerstoneViewport = Pick<Types.IStackViewport, 'id' | 'element' | 'getCurrentImageId' | 'getImageIds' | 'getProperties' | 'render'>;
export type CornerstoneImage = Types.IImage;

export interface CornerstoneLibraries {
  cornerstone: {
    cache: Pick<typeof cache, 'getImage'>;
    imageLoader: Pick<typeof imageLoader, 'loadAndCacheImage'>;
    metaData: Pick<typeof metaData, 'get'>;
    utilities: { windowLevel: Pick<typeof utilities.windowLevel, 'toWindowLevel'> };
  };
  cornerstoneTools: { segmentation: Pick<typeof segmentation, 'getLabelmapImageIdsForImageId' | 'triggerSegmentationEvents'>; CONSTANTS: Pick<typeof CONSTANTS, 'COLOR_LUT'> };
}

/** A data source as OHIF's app config defines it; a DICOMweb one has its roots in `configuration`. */
export interface DataSourceDefinition {
  sourceName?: string;
  configuration?: { qidoRoot?: string; wadoRoot?: string; omitQuotationForMultipartRequest?: boolean };
}

/** A data source as OHIF runs it: its study search takes the study list's parameters. */
export interface ActiveDataSource {
  getConfig?(): { queryLimit?: number } | undefined;
  query: { studies: { search(search: StudySearch): Promise<StudyRow[] | undefined> } };
}

/** `cmunext` is what the deployment wrote, checked by config.ts before use. */
type AppConfig = { cmunext?: unknown; dataSources?: DataSourceDefinition[]; defaultDataSourceName?: string; routerBasename?: string };

export interface ExtensionParams {
  servicesManager: { services: OhifServices };
  commandsManager: { run(command: string | object, options?: object): unknown; runCommand?(name: string, options?: object): unknown };
  extensionManager: {
    getModuleEntry(id: string): { exports: any } | undefined;
    /** The data source the study was opened from (`?datasources=`, else the default). */
    getActiveDataSourceDefinition?(): DataSourceDefinition | undefined;
    /** The data sources in use, the active one first: its study search is the study list's. */
    getActiveDataSource?(): ActiveDataSource[] | undefined;
    appConfig?: AppConfig;
  };
  appConfig?: AppConfig;
}
