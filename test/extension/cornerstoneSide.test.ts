/**
 * The Cornerstone side of the host adapter against stand-ins of the host's objects: which viewport it acts on,
 * the image as the reader sees it (window, inversion, colour), and labelmap slices found per image through
 * Cornerstone's segmentation API.
 */
import { activeTarget, HostError, loadFailure, readMask, shownWindow, stackImages, viewedImage, writeLabels } from '../../extension/src/hostAdapter';
import { CornerstoneImage, CornerstoneLibraries, CornerstoneViewport, DisplaySet, OhifServices } from '../../extension/src/ohif';

/** Cornerstone3D 5.6.8's toWindowLevel, as the host gives it (utilities/windowLevel.js). */
const toWindowLevel = (low: number, high: number) => ({ windowWidth: Math.abs(high - low) + 1, windowCenter: (low + high + 1) / 2 });

/** A stand-in for Cornerstone's IImage with what the adapter reads of it. */
function image(over: Record<string, unknown> & { pixels: ArrayLike<number> }): CornerstoneImage {
  return { imageId: 'img', rows: 1, columns: over.pixels.length, color: false, getPixelData: () => over.pixels, ...over } as unknown as CornerstoneImage;
}

function libs(images: Record<string, CornerstoneImage>, labelmapOf: Record<string, string> = {}, instance: Record<string, unknown> = { SOPInstanceUID: '2.25.1' }): CornerstoneLibraries & { lookups: string[] } {
  const lookups: string[] = [];
  const stand: unknown = {
    lookups,
    cornerstone: {
      cache: { getImage: (id: string) => images[id] },
      imageLoader: { loadAndCacheImage: async (id: string) => images[id] },
      metaData: { get: () => instance },
      utilities: { windowLevel: { toWindowLevel } },
    },
    cornerstoneTools: {
      segmentation: {
        getLabelmapImageIds: () => { throw new Error('scanned every labelmap image'); },
        getLabelmapImageIdsForImageId: (imageId: string) => (lookups.push(imageId), labelmapOf[imageId] ? [labelmapOf[imageId]] : undefined),
        triggerSegmentationEvents: { triggerSegmentationDataModified: () => undefined },
      },
    },
  };
  return stand as CornerstoneLibraries & { lookups: string[] };
}

type Props = { voiRange?: { lower: number; upper: number }; VOILUTFunction?: string; invert?: boolean };
const viewport = (props: Props, current = 'img'): CornerstoneViewport =>
  ({ id: 'vp', getCurrentImageId: () => current, getImageIds: () => ['img', 'img2'], getProperties: () => props, render: () => undefined }) as unknown as CornerstoneViewport;

function services(o: { viewportId?: string; viewport?: unknown; modality?: string; displaySet?: boolean }): OhifServices {
  const ds: DisplaySet = { displaySetInstanceUID: 'ds', StudyInstanceUID: '1', SeriesInstanceUID: '2', Modality: o.modality };
  return {
    viewportGridService: { getActiveViewportId: () => o.viewportId ?? '', getDisplaySetsUIDsForViewport: () => (o.displaySet === false ? [] : ['ds']) },
    cornerstoneViewportService: { getCornerstoneViewport: () => o.viewport as CornerstoneViewport | undefined },
    displaySetService: { getDisplaySetByUID: () => ds },
  } as unknown as OhifServices;
}

describe('the Cornerstone side of the host adapter', () => {
  it.each<[string, Parameters<typeof services>[0], string | undefined]>([
    ['no active viewport', {}, 'select a viewport first'],
    ['a viewport with no image API', { viewportId: 'vp', viewport: {} }, 'the active viewport shows no image'],
    ['no series in the viewport', { viewportId: 'vp', viewport: viewport({}), displaySet: false }, 'the active viewport shows no series'],
    ['a SEG series', { viewportId: 'vp', viewport: viewport({}), modality: 'SEG' }, 'the active viewport shows a SEG object, not an image'],
    ['a structured report', { viewportId: 'vp', viewport: viewport({}), modality: 'SR' }, 'the active viewport shows a SR object, not an image'],
    ['an image still loading', { viewportId: 'vp', viewport: viewport({}, '') }, 'the image is still loading'],
    ['an ultrasound image', { viewportId: 'vp', viewport: viewport({}), modality: 'US' }, undefined],
  ])('acts on the active viewport: %s', (_, o, refusal) => {
    if (refusal) expect(() => activeTarget(services(o))).toThrow(new HostError(refusal));
    else expect(activeTarget(services(o)).displaySet.Modality).toBe('US');
  });

  it.each<[string, Props, object]>([
    ['no window set: none passed on', {}, { voi: undefined, photometricInterpretation: 'MONOCHROME2' }],
    ['a linear window, as Cornerstone draws it', { voiRange: { lower: 0, upper: 255 } }, { voi: { center: 128, width: 256, function: 'LINEAR' } }],
    ['LINEAR_EXACT draws the same ramp', { voiRange: { lower: 10.5, upper: 20.5 }, VOILUTFunction: 'LINEAR_EXACT' }, { voi: { center: 16, width: 11, function: 'LINEAR' } }],
    ['a sigmoid window', { voiRange: { lower: -160, upper: 240 }, VOILUTFunction: 'SIGMOID' }, { voi: { center: 40.5, width: 401, function: 'SIGMOID' } }],
    ['an inverted display', { voiRange: { lower: 0, upper: 255 }, invert: true }, { photometricInterpretation: 'MONOCHROME1' }],
  ])('the image as shown: %s', async (_, props, expected) => {
    const cs = libs({ img: image({ pixels: Int16Array.from([0, 100, 200]), slope: 2, intercept: -10 }) });
    const viewed = await viewedImage(cs, viewport(props), 'img');
    expect(viewed.source).toMatchObject({ bitsAllocated: 16, pixelRepresentation: 1, rescaleSlope: 2, rescaleIntercept: -10, ...expected });
  });

  it('takes a pre-scaled image\'s values as they are', async () => {
    const cs = libs({ img: image({ pixels: Float32Array.from([0.5, 1.5]), slope: 2, intercept: -10, preScale: { scaled: true } }) });
    expect((await viewedImage(cs, viewport({}), 'img')).source).toMatchObject({ bitsAllocated: 32, rescaleSlope: 1, rescaleIntercept: 0 });
  });

  it('reads an RGBA colour image as RGB', async () => {
    const cs = libs({ img: image({ pixels: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]), columns: 2, color: true, numberOfComponents: 4 }) });
    const { source } = await viewedImage(cs, viewport({}), 'img');
    expect(Array.from(source.pixelData)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(source.photometricInterpretation).toBe('RGB');
  });

  it('finds a labelmap slice per image through the segmentation API, never by scanning', () => {
    const slice = { ...image({ pixels: new Uint8Array(4) }), voxelManager: { data: Uint8Array.from([0, 1, 2, 1]), getScalarData() { return this.data; }, setScalarData(d: ArrayLike<number>) { this.data = Uint8Array.from(d); } } };
    const cs = libs({ lm1: slice as unknown as CornerstoneImage }, { img: 'lm1' });
    expect(Array.from(readMask(cs, 'seg', 'img')!)).toEqual([0, 1, 0, 1]);
    expect(Array.from(readMask(cs, 'seg', 'img', 2)!)).toEqual([0, 0, 1, 0]);
    writeLabels(cs, 'seg', 'img', Uint8Array.from([1, 1, 0, 0]));
    expect(Array.from(slice.voxelManager.getScalarData())).toEqual([1, 1, 0, 0]);
    expect(readMask(cs, 'seg', 'img2')).toBeUndefined();
    expect(() => writeLabels(cs, 'seg', 'img2', new Uint8Array(4))).toThrow('the segmentation has no labelmap for this image');
    expect(() => writeLabels(cs, 'seg', 'img', new Uint8Array(3))).toThrow('the labelmap holds 4 pixels, the mask 3');
    expect(cs.lookups).toEqual(['img', 'img', 'img', 'img2', 'img2', 'img']);
  });

  it('names the stack\'s images by source and frame, with plane positions only where there are three', () => {
    const cs = libs({}, {}, { SOPInstanceUID: '2.25.7', NumberOfFrames: '3', ImagePositionPatient: [1, 2] });
    const target = { viewportId: 'vp', viewport: viewport({}), displaySet: { displaySetInstanceUID: 'ds', StudyInstanceUID: '1', SeriesInstanceUID: '2' } };
    expect(stackImages(cs, target)).toEqual([
      { imageId: 'img', sopInstanceUID: '2.25.7', frame: 1, imagePositionPatient: undefined },
      { imageId: 'img2', sopInstanceUID: '2.25.7', frame: 1, imagePositionPatient: undefined },
    ]);
  });

  const ID = 'wadors:/dicom-web/studies/1/series/2/instances/3/frames/1';
  it.each<[string, unknown, string]>([
    ['an Error', new Error('decoder not found'), 'decoder not found'],
    ['the loader\'s object around a request', { request: { status: 400, statusText: 'Bad Request' } }, 'HTTP 400 Bad Request'],
    ['an object with a status and a cause', { status: 404, error: new Error('not there') }, 'HTTP 404 (not there)'],
    ['an object holding a failed request as its error', { error: { status: 502 } }, 'HTTP 502'],
    ['an empty object, once shown as "{}"', {}, 'no answer'],
  ])('says what a failed image load asked for and what came back: %s', (_, e, answer) => {
    expect(loadFailure(ID, e)).toBe(`the image /dicom-web/studies/1/series/2/instances/3/frames/1 could not be loaded: ${answer}`);
  });

  it('turns a failed load into a message for the reader, and logs its cause', async () => {
    const cs = libs({});
    cs.cornerstone.imageLoader.loadAndCacheImage = async () => { throw { request: { status: 400, statusText: 'Bad Request' } }; };
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(viewedImage(cs, viewport({}), ID)).rejects.toThrow(new HostError(loadFailure(ID, { request: { status: 400, statusText: 'Bad Request' } })));
      expect(logged).toHaveBeenCalledWith(`CMUNeXt segment: loading ${ID} failed`, expect.anything());
    } finally {
      logged.mockRestore();
    }
  });

  it('converts a window with the host\'s own toWindowLevel', () => {
    expect(shownWindow(libs({}), { lower: 0, upper: 255 })).toEqual({ center: 128, width: 256, function: 'LINEAR' });
  });
});
