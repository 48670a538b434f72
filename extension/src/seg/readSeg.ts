import { UserError } from '../userError';
import * as dcmjs from 'dcmjs';
import { readPart10, undecodedPixels } from '../dicom/part10';
import { AlgorithmType } from './types';
import { SEGMENTATION_STORAGE } from './writeSeg';

const { BitArray } = (dcmjs as any).data;

export interface ReadSegment {
  number: number;
  label: string;
  algorithmType: AlgorithmType;
  algorithmName?: string;
  algorithmVersion?: string;
  /** name=value pairs from AlgorithmParameters. */
  algorithmParameters: Record<string, string>;
  category?: { scheme: string; code: string; meaning: string };
  type?: { scheme: string; code: string; meaning: string };
  anatomicRegion?: { scheme: string; code: string; meaning: string };
  /** CIELab as stored (0..65535). */
  cieLab?: number[];
}

export interface ReadFrame {
  segment: number;
  /** The source image this frame was derived from, and its 1-based frame for multi-frame sources. */
  sourceSopInstanceUID?: string;
  sourceFrame?: number;
  imagePositionPatient?: number[];
  /** rows x columns, 1 inside. */
  mask: Uint8Array;
}

export interface ReadSeg {
  sopInstanceUID: string;
  seriesInstanceUID: string;
  studyInstanceUID: string;
  seriesDescription?: string;
  contentDescription?: string;
  contentCreatorName?: string;
  rows: number;
  columns: number;
  segments: ReadSegment[];
  frames: ReadFrame[];
  /** Every source image the SEG references (Referenced Series Sequence). */
  referencedInstances: { seriesInstanceUID: string; sopClassUID: string; sopInstanceUID: string }[];
  /** The naturalized dataset, for anything else. */
  dataset: Record<string, any>;
}

export class SegReadError extends UserError {
  override name = 'SegReadError';
}

const first = <T>(v: T[] | T | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);
const concept = (item: any) => (item ? { scheme: item.CodingSchemeDesignator, code: item.CodeValue, meaning: item.CodeMeaning } : undefined);

/** Parses a BINARY or FRACTIONAL DICOM Segmentation (ours or another tool's) into segments and per-frame masks. */
export function readSeg(bytes: Uint8Array): ReadSeg {
  let file: ReturnType<typeof readPart10>;
  try {
    file = readPart10(bytes);
  } catch (e) {
    throw new SegReadError(`not a readable DICOM file: ${e instanceof Error ? e.message : e}`);
  }
  const ds = file.dataset;
  if (ds.SOPClassUID !== SEGMENTATION_STORAGE) throw new SegReadError(`SOP class ${ds.SOPClassUID} is not Segmentation Storage (${SEGMENTATION_STORAGE})`);
  const undecoded = undecodedPixels(file.transferSyntaxUID);
  if (undecoded) throw new SegReadError(undecoded);
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  const n = Number(ds.NumberOfFrames ?? 1);
  const pixels = rows * columns;
  const perFrame: any[] = ds.PerFrameFunctionalGroupsSequence ?? [];
  const shared = first(ds.SharedFunctionalGroupsSequence) ?? {};
  const pixelData: ArrayBuffer = first(ds.PixelData);
  if (!pixelData) throw new SegReadError('the SEG has no Pixel Data');
  let all: Uint8Array;
  if (ds.SegmentationType === 'BINARY') {
    all = BitArray.unpack(pixelData) as Uint8Array;
  } else {
    // FRACTIONAL: one byte per pixel; inside above half of the maximum.
    const max = Number(ds.MaximumFractionalValue ?? 255);
    all = new Uint8Array(pixelData).map((v) => (v > max / 2 ? 1 : 0));
  }
  if (all.length < n * pixels) throw new SegReadError(`Pixel Data holds ${all.length} pixels; ${n} frames of ${columns}x${rows} need ${n * pixels}`);
  const frames: ReadFrame[] = [];
  for (let i = 0; i < n; i++) {
    const fg = perFrame[i] ?? {};
    const segment = Number(first(first(fg.SegmentIdentificationSequence ?? shared.SegmentIdentificationSequence) as any)?.ReferencedSegmentNumber ?? NaN);
    const source = first(first(fg.DerivationImageSequence as any[])?.SourceImageSequence as any[]) as any;
    const position = first(fg.PlanePositionSequence as any[]) as any;
    const mask = new Uint8Array(pixels);
    for (let p = 0; p < pixels; p++) mask[p] = all[i * pixels + p] ? 1 : 0;
    frames.push({
      segment,
      sourceSopInstanceUID: source?.ReferencedSOPInstanceUID,
      sourceFrame: source?.ReferencedFrameNumber !== undefined ? Number(first(source.ReferencedFrameNumber)) : undefined,
      imagePositionPatient: position?.ImagePositionPatient?.map(Number),
      mask,
    });
  }
  const segments: ReadSegment[] = (ds.SegmentSequence ?? []).map((s: any) => {
    const algo = first(s.SegmentationAlgorithmIdentificationSequence as any[]) as any;
    const params: Record<string, string> = {};
    for (const pair of String(algo?.AlgorithmParameters ?? '').split(',').filter(Boolean)) {
      const [k, ...v] = pair.split('=');
      params[k.trim()] = v.join('=').trim();
    }
    return {
      number: Number(s.SegmentNumber),
      label: s.SegmentLabel ?? `Segment ${s.SegmentNumber}`,
      algorithmType: s.SegmentAlgorithmType,
      algorithmName: s.SegmentAlgorithmName,
      algorithmVersion: algo?.AlgorithmVersion,
      algorithmParameters: params,
      category: concept(first(s.SegmentedPropertyCategoryCodeSequence)),
      type: concept(first(s.SegmentedPropertyTypeCodeSequence)),
      anatomicRegion: concept(first(s.AnatomicRegionSequence)),
      cieLab: s.RecommendedDisplayCIELabValue,
    };
  });
  const referencedInstances = (ds.ReferencedSeriesSequence ?? []).flatMap((series: any) =>
    (series.ReferencedInstanceSequence ?? []).map((r: any) => ({
      seriesInstanceUID: series.SeriesInstanceUID,
      sopClassUID: r.ReferencedSOPClassUID,
      sopInstanceUID: r.ReferencedSOPInstanceUID,
    })),
  );
  return {
    sopInstanceUID: ds.SOPInstanceUID,
    seriesInstanceUID: ds.SeriesInstanceUID,
    studyInstanceUID: ds.StudyInstanceUID,
    seriesDescription: ds.SeriesDescription,
    contentDescription: ds.ContentDescription,
    contentCreatorName: typeof ds.ContentCreatorName === 'object' ? ds.ContentCreatorName?.Alphabetic : ds.ContentCreatorName,
    rows,
    columns,
    segments,
    frames,
    referencedInstances,
    dataset: ds,
  };
}
