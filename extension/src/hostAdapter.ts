/**
 * The one module that touches OHIF and Cornerstone: the viewed image in, labelmaps out. Everything it hands on is
 * plain data (SourceImage, SourceInstance, masks) for the pure modules.
 */
import { SourceImage, StoredPixels, Window } from './core/sourceImage';
import { UserError } from './userError';
import { isImageModality, OHIF } from './hostNames';
import { PacsHeaders } from './dicomweb/retrieve';
import { CornerstoneImage, CornerstoneLibraries, CornerstoneViewport, DisplaySet, ExtensionParams, OhifServices, Rgba } from './ohif';
import { HostPort, LabelmapSegment, PacsPort, StudyListPort, Target as PortTarget, ViewedImage } from './controller/ports';
import { StudyListState } from './controller/studyList';
import { findSegInstances, retrieveInstance } from './dicomweb/retrieve';
import { storeInstances } from './dicomweb/stow';
import { StackImage } from './seg/reopen';
import { SourceInstance } from './seg/types';

/** Why the tool cannot act now, in words for the user (also the disabled button's tooltip). */
export class HostError extends UserError {
  override name = 'HostError';
}

export interface Target extends PortTarget {
  viewport: CornerstoneViewport;
  displaySet: DisplaySet;
}

export function libraries(extensionManager: ExtensionParams['extensionManager']): CornerstoneLibraries {
  const entry = extensionManager.getModuleEntry(OHIF.cornerstoneUtilities);
  if (!entry) throw new HostError('the Cornerstone extension is not loaded');
  return entry.exports.getCornerstoneLibraries();
}

/** The active viewport, if it shows an image stack this tool can segment. */
export function activeTarget(services: OhifServices): Target {
  const viewportId = services.viewportGridService.getActiveViewportId();
  if (!viewportId) throw new HostError('select a viewport first');
  const viewport = services.cornerstoneViewportService.getCornerstoneViewport(viewportId);
  if (!viewport || typeof viewport.getCurrentImageId !== 'function') throw new HostError('the active viewport shows no image');
  const uid = services.viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
  const displaySet = uid ? services.displaySetService.getDisplaySetByUID(uid) : undefined;
  if (!displaySet) throw new HostError('the active viewport shows no series');
  if (!isImageModality(displaySet.Modality)) {
    throw new HostError(`the active viewport shows a ${displaySet.Modality} object, not an image`);
  }
  if (!viewport.getCurrentImageId()) throw new HostError('the image is still loading');
  return { viewportId, viewport, displaySet };
}

export function frameOf(imageId: string): number | undefined {
  const m = /\/frames\/(\d+)(?:$|[/?#])/.exec(imageId) ?? /[?&]frame=(\d+)/.exec(imageId);
  return m ? Number(m[1]) : undefined;
}

function storedPixels(image: CornerstoneImage): { data: StoredPixels; bits: 8 | 16 | 32; signed: 0 | 1 } {
  const px = image.getPixelData() as unknown as StoredPixels;
  if (px instanceof Float32Array || px instanceof Uint32Array || px instanceof Int32Array) return { data: px, bits: 32, signed: px instanceof Uint32Array ? 0 : 1 };
  if (px instanceof Int16Array) return { data: px, bits: 16, signed: 1 };
  if (px instanceof Uint16Array) return { data: px, bits: 16, signed: 0 };
  if (px instanceof Int8Array) return { data: px, bits: 8, signed: 1 };
  return { data: Uint8Array.from(px as ArrayLike<number>), bits: 8, signed: 0 };
}

/** The 1-based frame an image id shows of a multi-frame instance; none for a single-frame one. */
function frameIn(instance: { NumberOfFrames?: number | string } | undefined, imageId: string): number | undefined {
  return Number(instance?.NumberOfFrames ?? 1) > 1 ? frameOf(imageId) ?? 1 : undefined;
}

/** The image's DICOM attributes as the viewer holds them, and its 1-based frame within a multi-frame instance. */
export function sourceOf(libs: CornerstoneLibraries, imageId: string): { instance: SourceInstance; frame?: number } {
  const instance = libs.cornerstone.metaData.get('instance', imageId) as SourceInstance | undefined;
  if (!instance?.SOPInstanceUID) throw new HostError('the image has no DICOM metadata in the viewer');
  return { instance, frame: frameIn(instance, imageId) };
}

/**
 * What a failed image load asked for and what came back. Cornerstone's loaders reject with an Error, an
 * XMLHttpRequest, or a plain object holding one (`{ error, request, status }`), whose String() says nothing.
 */
export function loadFailure(imageId: string, e: unknown): string {
  const o = (e ?? {}) as { status?: number; statusText?: string; message?: string; request?: XMLHttpRequest; error?: unknown; xhr?: XMLHttpRequest };
  const request = o.request ?? o.xhr ?? (typeof XMLHttpRequest !== 'undefined' && o instanceof XMLHttpRequest ? o : undefined) ?? (o.error as { status?: number } | undefined);
  const status = o.status ?? (request as { status?: number } | undefined)?.status;
  const text = o.statusText ?? (request as { statusText?: string } | undefined)?.statusText;
  const cause = e instanceof Error ? e.message : typeof o.message === 'string' ? o.message : o.error instanceof Error ? o.error.message : undefined;
  const answer = status ? `HTTP ${status}${text ? ` ${text}` : ''}` : cause ?? 'no answer';
  return `the image ${imageId.replace(/^[a-z]+:/, '')} could not be loaded: ${answer}${status && cause ? ` (${cause})` : ''}`;
}

async function loadImage(libs: CornerstoneLibraries, imageId: string): Promise<CornerstoneImage> {
  try {
    return await libs.cornerstone.imageLoader.loadAndCacheImage(imageId);
  } catch (e) {
    console.error(`CMUNeXt segment: loading ${imageId} failed`, e);
    throw new HostError(loadFailure(imageId, e));
  }
}

/**
 * The viewport's window as the DICOM VOI function that draws what Cornerstone draws: its window/level from the host's
 * own toWindowLevel (a linear ramp from lower to upper, LINEAR_EXACT included), or its sigmoid over that window.
 */
export function shownWindow(libs: CornerstoneLibraries, range: { lower: number; upper: number }, fn?: string): Window {
  const { windowCenter, windowWidth } = libs.cornerstone.utilities.windowLevel.toWindowLevel(range.lower, range.upper);
  return { center: windowCenter, width: windowWidth, function: fn === 'SIGMOID' ? 'SIGMOID' : 'LINEAR' };
}

/** The image as the user sees it in this viewport: its pixels, the window shown, and inversion. */
export async function viewedImage(libs: CornerstoneLibraries, viewport: CornerstoneViewport, imageId: string): Promise<ViewedImage> {
  const { cornerstone } = libs;
  const image = cornerstone.cache.getImage(imageId) ?? (await loadImage(libs, imageId));
  const { instance, frame } = sourceOf(libs, imageId);
  const { rows, columns } = image;
  let source: SourceImage;
  if (image.color) {
    const px = image.getPixelData();
    const components = image.numberOfComponents ?? (px.length === rows * columns * 4 ? 4 : 3);
    const rgb = new Uint8Array(rows * columns * 3);
    for (let i = 0; i < rows * columns; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = px[components * i + c];
    source = { pixelData: rgb, rows, columns, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, photometricInterpretation: 'RGB', planarConfiguration: 0 };
  } else {
    const { data, bits, signed } = storedPixels(image);
    const props = viewport.getProperties();
    const scaled = image.preScale?.scaled === true;
    const voi = props.voiRange && props.voiRange.upper > props.voiRange.lower ? shownWindow(libs, props.voiRange, props.VOILUTFunction) : undefined;
    source = {
      pixelData: data,
      rows,
      columns,
      samplesPerPixel: 1,
      bitsAllocated: bits,
      bitsStored: bits,
      pixelRepresentation: signed,
      // What the user sees: an inverted display is MONOCHROME1 to the pipeline.
      photometricInterpretation: props.invert ? 'MONOCHROME1' : 'MONOCHROME2',
      rescaleSlope: scaled ? 1 : image.slope ?? 1,
      rescaleIntercept: scaled ? 0 : image.intercept ?? 0,
      voi,
    };
  }
  return { imageId, source, instance, frame };
}

export function stackImageIds(target: Target): string[] {
  return target.viewport.getImageIds?.() ?? target.displaySet.imageIds ?? [target.viewport.getCurrentImageId()];
}

/** The stack's images with what a stored SEG frame may name them by (source reference, plane position). */
export function stackImages(libs: CornerstoneLibraries, target: Target): StackImage[] {
  return stackImageIds(target).map((imageId) => {
    const inst = libs.cornerstone.metaData.get('instance', imageId);
    return {
      imageId,
      sopInstanceUID: inst?.SOPInstanceUID,
      frame: frameIn(inst, imageId),
      imagePositionPatient: inst?.ImagePositionPatient?.length === 3 ? inst.ImagePositionPatient : undefined,
    };
  });
}

/** A labelmap segmentation over the display set, in the viewer's state but not yet in a viewport. */
export async function createLabelmap(services: OhifServices, target: Target, label: string, segments: LabelmapSegment[]): Promise<string> {
  const entries = segments.map((s, i) => [s.number, { label: s.label, active: i === 0 }]);
  return services.segmentationService.createLabelmapForDisplaySet(target.displaySet, { label, segments: Object.fromEntries(entries) });
}

/** A representation's colour LUT: the segments' colours at their numbers, Cornerstone's own colours between them. */
export function colorLut(segments: LabelmapSegment[], defaults: readonly (readonly number[])[]): Rgba[] {
  const size = Math.max(0, ...segments.map((s) => s.number)) + 1;
  const lut = Array.from({ length: size }, (_, n): Rgba => (n && defaults[n]?.length === 4 ? [...defaults[n]] as Rgba : [0, 0, 0, 0]));
  for (const s of segments) lut[s.number] = [...s.color, 255];
  return lut;
}

/**
 * The segmentation shown in the target's viewport in the segments' colours; the viewport draws what it holds. The
 * colours go in with the representation: set after it, they queued one more whole redraw of the viewport.
 */
export async function showLabelmap(services: OhifServices, libs: CornerstoneLibraries, target: Target, segmentationId: string, segments: LabelmapSegment[]): Promise<void> {
  const colorLUTOrIndex = colorLut(segments, libs.cornerstoneTools.CONSTANTS.COLOR_LUT);
  await services.segmentationService.addSegmentationRepresentation(target.viewportId, { segmentationId, config: { colorLUTOrIndex } });
}

function labelmapImage(libs: CornerstoneLibraries, segmentationId: string, imageId: string): CornerstoneImage | undefined {
  // Cornerstone keeps the source-to-labelmap references: one lookup per image, not a scan of the labelmap's images.
  const id = libs.cornerstoneTools.segmentation.getLabelmapImageIdsForImageId(imageId, segmentationId)?.[0];
  return id ? libs.cornerstone.cache.getImage(id) : undefined;
}

/** Writes labelmap values (segment numbers, 0 outside) over one source image's labelmap slice. */
export function writeLabels(libs: CornerstoneLibraries, segmentationId: string, imageId: string, labels: Uint8Array): void {
  const img = labelmapImage(libs, segmentationId, imageId);
  if (!img?.voxelManager) throw new HostError('the segmentation has no labelmap for this image');
  const data = img.voxelManager.getScalarData();
  if (data.length !== labels.length) throw new HostError(`the labelmap holds ${data.length} pixels, the mask ${labels.length}`);
  data.set(labels);
  img.voxelManager.setScalarData?.(data);
}

/** The labelmap over one source image as 0/1, or undefined when the segmentation has no slice there. */
export function readMask(libs: CornerstoneLibraries, segmentationId: string, imageId: string, value = 1): Uint8Array | undefined {
  const img = labelmapImage(libs, segmentationId, imageId);
  if (!img?.voxelManager) return undefined;
  const data = img.voxelManager.getScalarData();
  // A plain loop: Uint8Array.from with a mapping function took 50 ms over a 550x462 image in the viewer's profile.
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i] === value ? 1 : 0;
  return mask;
}

export function segmentationModified(libs: CornerstoneLibraries, segmentationId: string, target: Target): void {
  libs.cornerstoneTools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(segmentationId);
  target.viewport.render();
}

/** Cornerstone's Events.IMAGE_RENDERED, fired on a viewport's element each time it has drawn. */
const IMAGE_RENDERED = 'CORNERSTONE_IMAGE_RENDERED';

/** When the viewport next finishes drawing, or undefined after `ms` without a drawing. */
export function nextRender(viewport: CornerstoneViewport, ms = 2000): Promise<number | undefined> {
  const element = viewport.element;
  if (!element) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const done = (at?: number) => {
      element.removeEventListener(IMAGE_RENDERED, drawn);
      clearTimeout(timer);
      resolve(at);
    };
    const drawn = () => done(performance.now());
    const timer = setTimeout(done, ms);
    element.addEventListener(IMAGE_RENDERED, drawn);
  });
}

/** Absolute DICOMweb roots: QIDO searches; WADO retrieves and STOW stores, as OHIF's own DICOMweb client does. */
export interface DicomwebRoots {
  qido: string;
  wado: string;
  /** The data source's omitQuotationForMultipartRequest: its PACS wants multipart types unquoted. */
  omitQuotes: boolean;
}

/** The roots of the data source the study came from: OHIF's active one, else the app config's default. */
export function dicomwebRoots(extensionManager: ExtensionParams['extensionManager'], appConfig = extensionManager.appConfig): DicomwebRoots {
  const sources = appConfig?.dataSources ?? [];
  const source = extensionManager.getActiveDataSourceDefinition?.()
    ?? sources.find((s) => s.sourceName === appConfig?.defaultDataSourceName) ?? sources[0];
  const { qidoRoot, wadoRoot, omitQuotationForMultipartRequest } = source?.configuration ?? {};
  if (!qidoRoot && !wadoRoot) {
    throw new HostError(source?.sourceName
      ? `the study's data source "${source.sourceName}" is not a DICOMweb PACS: there is nowhere to store to or search`
      : 'the viewer has no DICOMweb data source to store to');
  }
  const absolute = (root: string) => new URL(root, globalThis.location?.href).href.replace(/\/$/, '');
  return { qido: absolute(qidoRoot ?? wadoRoot!), wado: absolute(wadoRoot ?? qidoRoot!), omitQuotes: omitQuotationForMultipartRequest === true };
}

/** The signed-in user's Authorization for the PACS, as OHIF sends it with its own requests; none without sign-in. */
export function pacsHeaders(services: OhifServices): PacsHeaders {
  const authorization = services.userAuthenticationService?.getAuthorizationHeader?.()?.Authorization;
  return authorization ? { Authorization: authorization } : {};
}

/**
 * The signed-in reader's OIDC claims; none without sign-in. Asked only where a user is signed in: OHIF's default
 * service logs "NOT IMPLEMENTED" for getUser.
 */
export function signedInProfile(services: OhifServices): unknown {
  if (!pacsHeaders(services).Authorization) return undefined;
  return services.userAuthenticationService?.getUser?.()?.profile;
}

export function notify(services: OhifServices, type: 'info' | 'success' | 'warning' | 'error', title: string, message: string): void {
  services.uiNotificationService.show({ title, message, type, duration: type === 'error' ? 10000 : 5000 });
}

/** Re-runs the toolbar evaluators, so a button disabled while the tool was busy becomes usable again. */
export function refreshToolbar(services: OhifServices): void {
  services.toolbarService.refreshToolbarState?.({ viewportId: services.viewportGridService.getActiveViewportId() });
}

/** The host as the commands see it: this module's functions bound to the viewer's services and Cornerstone. */
export function ohifHost(params: ExtensionParams): HostPort<Target> {
  const services = params.servicesManager.services;
  const libs = () => libraries(params.extensionManager);
  return {
    activeTarget: () => activeTarget(services),
    currentImageId: (target) => target.viewport.getCurrentImageId(),
    imageIds: stackImageIds,
    stackImages: (target) => stackImages(libs(), target),
    viewedImage: (target, imageId) => viewedImage(libs(), target.viewport, imageId),
    sourceOf: (imageId) => sourceOf(libs(), imageId),
    createLabelmap: (target, label, segments) => createLabelmap(services, target, label, segments),
    showLabelmap: (target, segmentationId, segments) => showLabelmap(services, libs(), target, segmentationId, segments),
    hasSegmentation: (segmentationId) => services.segmentationService.getSegmentation(segmentationId) !== undefined,
    readMask: (segmentationId, imageId, value) => readMask(libs(), segmentationId, imageId, value),
    writeLabels: (segmentationId, imageId, labels) => writeLabels(libs(), segmentationId, imageId, labels),
    segmentationModified: (segmentationId, target) => segmentationModified(libs(), segmentationId, target),
    nextRender: (target) => nextRender(target.viewport),
    notify: (type, title, message) => notify(services, type, title, message),
    refreshToolbar: () => refreshToolbar(services),
    signedInProfile: () => signedInProfile(services),
    saveFile,
    onImagesShown: (listener) => {
      const viewports = services.cornerstoneViewportService;
      return viewports.subscribe(viewports.EVENTS.VIEWPORT_DATA_CHANGED, () => listener()).unsubscribe;
    },
  };
}

/** A browser download of the bytes; the object URL lives long enough for the download to start. */
function saveFile(name: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name, style: 'display:none' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The PACS the study came from, with the signed-in reader's Authorization, as the commands see it. */
export function ohifPacs(params: ExtensionParams, storeTimeoutSeconds: number): PacsPort {
  const roots = () => dicomwebRoots(params.extensionManager, params.extensionManager.appConfig ?? params.appConfig);
  const headers = () => pacsHeaders(params.servicesManager.services);
  return {
    store: async (instances) => {
      const { wado, omitQuotes } = roots();
      await storeInstances(wado, instances, { headers: headers(), omitQuotes, timeoutMs: storeTimeoutSeconds * 1000 });
    },
    findSegs: (study) => findSegInstances(roots().qido, study, headers()),
    retrieve: (study, ref) => {
      const { wado, omitQuotes } = roots();
      return retrieveInstance(wado, study, ref, headers(), fetch, omitQuotes);
    },
  };
}

/** Where OHIF 3.13's study list keeps its filters and sorting, and where a copy is kept for this tab. */
const STUDY_LIST_KEY = 'studyList.tableState';
const STUDY_LIST_COPY = 'cmunext.studyList';

/**
 * The list's state: OHIF's own while the tab holds it, else the copy taken when it last did (OHIF drops its key
 * when the page is hidden or reloaded; the reader's list should not go with it).
 */
function studyListState(): StudyListState | undefined {
  const read = (key: string) => {
    try {
      const value = JSON.parse(sessionStorage.getItem(key) ?? 'null');
      return value && typeof value === 'object' && (Array.isArray(value.filters) || Array.isArray(value.sorting)) ? (value as StudyListState) : undefined;
    } catch {
      return undefined;
    }
  };
  const own = read(STUDY_LIST_KEY);
  if (own) sessionStorage.setItem(STUDY_LIST_COPY, JSON.stringify({ filters: own.filters ?? [], sorting: own.sorting ?? [] }));
  return own ?? read(STUDY_LIST_COPY);
}

/** The reader's study list through OHIF's data source, and another study opened as OHIF's own navigation does. */
export function ohifStudyList(params: ExtensionParams): StudyListPort {
  const dataSource = () => {
    const source = params.extensionManager.getActiveDataSource?.()?.[0];
    if (!source) throw new HostError('the viewer has no data source to search for studies');
    return source;
  };
  return {
    currentStudy: () => new URLSearchParams(location.search).get('StudyInstanceUIDs')?.split(',')[0] || undefined,
    listState: studyListState,
    searchLimit: () => dataSource().getConfig?.()?.queryLimit ?? 101,
    searchStudies: async (search) => (await dataSource().query.studies.search(search)) ?? [],
    showStudy: (study) => {
      const query = new URLSearchParams(location.search);
      query.set('StudyInstanceUIDs', study);
      // OHIF's router adds its basename itself.
      const basename = (params.extensionManager.appConfig ?? params.appConfig)?.routerBasename?.replace(/\/$/, '') ?? '';
      const path = basename && location.pathname.startsWith(basename) ? location.pathname.slice(basename.length) || '/' : location.pathname;
      params.commandsManager.run({ commandName: 'navigateHistory', commandOptions: { to: `${path}?${query}` } });
    },
  };
}
