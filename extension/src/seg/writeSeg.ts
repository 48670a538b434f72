import { UserError } from '../userError';
import * as dcmjs from 'dcmjs';
import { CodedConcept } from '../core/manifest';
import { dicomDateTime } from '../dicom/dateTime';
import { writePart10 } from '../dicom/part10';
import { alongNormal, frameCount, sharedGeometry } from './planes';
import { FrameMask, SegmentDescription, SegWriterOptions, SourceInstance } from './types';
import { newUid } from './uid';

export const SEGMENTATION_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
const { BitArray, Colors } = (dcmjs as any).data;

export class SegWriterError extends UserError {
  override name = 'SegWriterError';
}

const code = (c: CodedConcept) => ({ CodeValue: c.code, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning });
const dcm = (value: string, meaning: string) => ({ CodeValue: value, CodingSchemeDesignator: 'DCM', CodeMeaning: meaning });
const ARTIFICIAL_INTELLIGENCE = dcm('123110', 'Artificial Intelligence');
const SEGMENTATION = dcm('113076', 'Segmentation');
const SOURCE_IMAGE = dcm('121322', 'Source image for image processing operation');

/** A SEG derived from lossy-compressed images says so, once set never reset (PS3.3 C.7.6.1.1.5). */
function lossyHistory(sources: SourceInstance[]): Record<string, unknown> {
  const lossy = sources.find((s) => String(s.LossyImageCompression ?? '').trim() === '01');
  if (!lossy) return { LossyImageCompression: '00' };
  return {
    LossyImageCompression: '01',
    ...(lossy.LossyImageCompressionRatio !== undefined && { LossyImageCompressionRatio: lossy.LossyImageCompressionRatio }),
    ...(lossy.LossyImageCompressionMethod !== undefined && { LossyImageCompressionMethod: lossy.LossyImageCompressionMethod }),
  };
}

function check(sources: SourceInstance[], segments: SegmentDescription[], frames: FrameMask[]): void {
  if (!sources.length) throw new SegWriterError('no source images');
  const studies = new Set(sources.map((s) => s.StudyInstanceUID));
  if (studies.size !== 1) throw new SegWriterError(`the source images belong to ${studies.size} studies; a SEG references one study`);
  const { Rows, Columns } = sources[0];
  if (sources.some((s) => s.Rows !== Rows || s.Columns !== Columns)) throw new SegWriterError('the source images differ in size; a SEG has one grid');
  const numbers = new Set(segments.map((s) => s.number));
  if (!segments.length) throw new SegWriterError('no segments');
  segments.forEach((s, i) => {
    if (s.number !== i + 1) throw new SegWriterError(`segment numbers must run 1, 2, 3...; segment ${i + 1} has number ${s.number}`);
    if (s.algorithmType !== 'MANUAL' && !s.algorithm) throw new SegWriterError(`segment ${s.number} (${s.label}) is ${s.algorithmType} but names no algorithm`);
  });
  const seen = new Set<string>();
  for (const f of frames) {
    const src = sources[f.source];
    if (!src) throw new SegWriterError(`a mask refers to source ${f.source}; there are ${sources.length}`);
    if (!numbers.has(f.segment)) throw new SegWriterError(`a mask refers to segment ${f.segment}, which is not described`);
    const n = frameCount(src);
    if (n > 1 ? !(Number.isInteger(f.frame) && f.frame! >= 1 && f.frame! <= n) : f.frame !== undefined && f.frame !== 1) {
      throw new SegWriterError(`a mask refers to frame ${f.frame} of ${src.SOPInstanceUID}, which has ${n} frame(s)${n > 1 ? '; give its 1-based frame number' : ''}`);
    }
    if (f.mask.length !== Rows * Columns) throw new SegWriterError(`a mask holds ${f.mask.length} pixels; the source grid is ${Columns}x${Rows} = ${Rows * Columns}`);
    const key = `${f.source}/${f.frame ?? 1}/${f.segment}`;
    if (seen.has(key)) throw new SegWriterError(`two masks for segment ${f.segment} on the same source frame`);
    seen.add(key);
  }
}

function segmentItem(s: SegmentDescription) {
  return {
    SegmentNumber: s.number,
    SegmentLabel: s.label.slice(0, 64),
    ...(s.description ? { SegmentDescription: s.description.slice(0, 64) } : {}),
    SegmentAlgorithmType: s.algorithmType,
    ...(s.algorithm
      ? {
          SegmentAlgorithmName: s.algorithm.name.slice(0, 64),
          SegmentationAlgorithmIdentificationSequence: [
            {
              AlgorithmFamilyCodeSequence: [ARTIFICIAL_INTELLIGENCE],
              AlgorithmName: s.algorithm.name.slice(0, 64),
              AlgorithmVersion: s.algorithm.version.slice(0, 64),
              AlgorithmParameters: Object.entries(s.algorithm.parameters).map(([k, v]) => `${k}=${v}`).join(','),
            },
          ],
        }
      : {}),
    SegmentedPropertyCategoryCodeSequence: [code(s.category)],
    SegmentedPropertyTypeCodeSequence: [code(s.type)],
    ...(s.anatomicRegion ? { AnatomicRegionSequence: [code(s.anatomicRegion)] } : {}),
    RecommendedDisplayCIELabValue: Colors.rgb2DICOMLAB(s.color.map((c) => c / 255)).map((v: number) => Math.round(v)),
  };
}

/**
 * A DICOM Segmentation (BINARY, Segmentation Storage) over the source images' native grid, encoded by dcmjs.
 * Frames with no segmented pixel are left out unless asked for; each SEG frame names its source image (and frame number).
 */
export function writeSeg(sources: SourceInstance[], segments: SegmentDescription[], masks: FrameMask[], options: SegWriterOptions): Uint8Array {
  check(sources, segments, masks);
  const uid = options.uid ?? newUid;
  const now = dicomDateTime(options.now ?? new Date());
  const geometry = sharedGeometry(sources);
  const planeAt = (f: FrameMask) => geometry![f.source][(f.frame ?? 1) - 1];
  const frames = masks
    .filter((f) => options.keepEmptyFrames || f.mask.some((v) => v !== 0))
    .sort((a, b) => a.segment - b.segment || a.source - b.source || (a.frame ?? 1) - (b.frame ?? 1));
  if (!frames.length) throw new SegWriterError('every mask is empty: there is nothing to store');
  const first = sources[0];
  const { Rows, Columns } = first;

  // The second dimension numbers the stored source frames 1..n in stack order: along the plane normal where there
  // is geometry, else by source and frame number. The caller's order (the order images were segmented in) is not it.
  const keyOf = (f: FrameMask) => `${f.source}/${f.frame ?? 1}`;
  const stack = [...new Map(frames.map((f) => [keyOf(f), f])).values()].sort(
    geometry ? (a, b) => alongNormal(planeAt(a)) - alongNormal(planeAt(b)) : (a, b) => a.source - b.source || (a.frame ?? 1) - (b.frame ?? 1),
  );
  const positions = new Map(stack.map((f, i) => [keyOf(f), i + 1]));
  const orderOf = (f: FrameMask) => positions.get(keyOf(f))!;
  const dimensionOrganizationUID = uid();
  const dimension = (pointer: string, group: string, label: string) => ({
    DimensionOrganizationUID: dimensionOrganizationUID,
    DimensionIndexPointer: pointer,
    FunctionalGroupPointer: group,
    DimensionDescriptionLabel: label,
  });

  const referenced = new Map<string, { SeriesInstanceUID: string; ReferencedInstanceSequence: object[] }>();
  for (const s of sources) {
    const series = referenced.get(s.SeriesInstanceUID) ?? { SeriesInstanceUID: s.SeriesInstanceUID, ReferencedInstanceSequence: [] };
    series.ReferencedInstanceSequence.push({ ReferencedSOPClassUID: s.SOPClassUID, ReferencedSOPInstanceUID: s.SOPInstanceUID });
    referenced.set(s.SeriesInstanceUID, series);
  }

  const perFrame = frames.map((f) => {
    const src = sources[f.source];
    const sourceRef = {
      ReferencedSOPClassUID: src.SOPClassUID,
      ReferencedSOPInstanceUID: src.SOPInstanceUID,
      ...(frameCount(src) > 1 ? { ReferencedFrameNumber: f.frame } : {}),
      PurposeOfReferenceCodeSequence: [SOURCE_IMAGE],
    };
    return {
      DerivationImageSequence: [{ SourceImageSequence: [sourceRef], DerivationCodeSequence: [SEGMENTATION] }],
      FrameContentSequence: [
        geometry
          ? { DimensionIndexValues: [f.segment, orderOf(f)] }
          : { StackID: '1', InStackPositionNumber: orderOf(f), DimensionIndexValues: [f.segment, orderOf(f)] },
      ],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
      ...(geometry ? { PlanePositionSequence: [{ ImagePositionPatient: planeAt(f).position }] } : {}),
    };
  });

  const dataset: Record<string, unknown> = {
    _vrMap: { PixelData: 'OB' },
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SEGMENTATION_STORAGE,
    SOPInstanceUID: options.sopInstanceUID ?? uid(),
    InstanceCreationDate: now.date,
    InstanceCreationTime: now.time,
    // Every date and time here is this viewer's local time; this says its offset from UTC.
    TimezoneOffsetFromUTC: now.offset,
    // Patient and study: copied from the source, so the SEG files with its images.
    PatientName: first.PatientName ?? '',
    PatientID: first.PatientID ?? '',
    PatientBirthDate: first.PatientBirthDate ?? '',
    PatientSex: first.PatientSex ?? '',
    StudyInstanceUID: first.StudyInstanceUID,
    StudyDate: first.StudyDate ?? '',
    StudyTime: first.StudyTime ?? '',
    StudyID: first.StudyID ?? '',
    AccessionNumber: first.AccessionNumber ?? '',
    ReferringPhysicianName: first.ReferringPhysicianName ?? '',
    Modality: 'SEG',
    SeriesInstanceUID: uid(),
    SeriesNumber: options.seriesNumber,
    SeriesDescription: options.seriesDescription.slice(0, 64),
    SeriesDate: now.date,
    SeriesTime: now.time,
    ...(geometry ? { FrameOfReferenceUID: first.FrameOfReferenceUID, PositionReferenceIndicator: '' } : {}),
    Manufacturer: options.equipment.manufacturer,
    ManufacturerModelName: options.equipment.modelName,
    DeviceSerialNumber: options.equipment.deviceSerialNumber,
    SoftwareVersions: options.equipment.softwareVersions,
    InstanceNumber: options.instanceNumber ?? 1,
    // General Image 2C: without plane orientation, the source's patient orientation (or empty, unknown).
    ...(geometry ? {} : { PatientOrientation: first.PatientOrientation ?? '' }),
    ContentDate: now.date,
    ContentTime: now.time,
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: options.contentLabel.toUpperCase().replace(/[^A-Z0-9_ ]/g, '_').slice(0, 16),
    ContentDescription: (options.contentDescription ?? '').slice(0, 64),
    ContentCreatorName: options.contentCreatorName ?? '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows,
    Columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    ...lossyHistory(sources),
    SegmentationType: 'BINARY',
    SegmentSequence: segments.map(segmentItem),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUID }],
    DimensionOrganizationType: geometry ? '3D' : undefined,
    DimensionIndexSequence: [
      dimension('0062000B', '0062000A', 'Segment'),
      geometry ? dimension('00200032', '00209113', 'Position') : dimension('00209057', '00209111', 'Source frame'),
    ],
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [
      geometry
        ? {
            PlaneOrientationSequence: [{ ImageOrientationPatient: geometry[0][0].orientation }],
            PixelMeasuresSequence: [
              {
                PixelSpacing: geometry[0][0].spacing,
                SliceThickness: geometry[0][0].thickness,
                ...(geometry[0][0].spacingBetweenSlices !== undefined ? { SpacingBetweenSlices: geometry[0][0].spacingBetweenSlices } : {}),
              },
            ],
          }
        : {},
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    ReferencedSeriesSequence: [...referenced.values()],
    PixelData: [packFrames(frames, Rows * Columns)],
  };
  if (dataset.DimensionOrganizationType === undefined) delete dataset.DimensionOrganizationType;

  return writePart10(dataset);
}

/** All frames' bits in one stream, first pixel in the lowest bit, frames not padded to bytes (PS3.5 8.1.1). */
function packFrames(frames: FrameMask[], pixels: number): ArrayBuffer {
  const all = new Uint8Array(frames.length * pixels);
  frames.forEach((f, i) => all.set(f.mask, i * pixels));
  return BitArray.pack(all).buffer;
}
