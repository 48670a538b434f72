/** What the SEG writer needs, independent of OHIF: source instances as naturalized DICOM, masks, segments. */
import { CodedConcept } from '../core/manifest';

/** A source instance's attributes as dcmjs or OHIF's metadata store names them (naturalized DICOM). */
export interface SourceInstance {
  SOPClassUID: string;
  SOPInstanceUID: string;
  SeriesInstanceUID: string;
  StudyInstanceUID: string;
  Rows: number;
  Columns: number;
  NumberOfFrames?: number | string;
  Modality?: string;
  PatientName?: unknown;
  PatientID?: string;
  PatientBirthDate?: string;
  PatientSex?: string;
  StudyDate?: string;
  StudyTime?: string;
  StudyID?: string;
  AccessionNumber?: string;
  ReferringPhysicianName?: unknown;
  FrameOfReferenceUID?: string;
  ImagePositionPatient?: number[];
  ImageOrientationPatient?: number[];
  PixelSpacing?: number[];
  SliceThickness?: number | string;
  SpacingBetweenSlices?: number | string;
  LossyImageCompression?: string;
  LossyImageCompressionRatio?: unknown;
  LossyImageCompressionMethod?: unknown;
  [key: string]: unknown;
}

export type AlgorithmType = 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';

export interface AlgorithmIdentity {
  /** Shown as SegmentAlgorithmName and AlgorithmName. */
  name: string;
  /** Model version and the weights' hash. */
  version: string;
  /** The parameters that mattered (threshold, backend, weights sha256, ...), written as name=value pairs. */
  parameters: Record<string, string | number>;
}

export interface SegmentDescription {
  /** SegmentNumber, from 1. */
  number: number;
  label: string;
  /** sRGB 0..255, written as CIELab. */
  color: [number, number, number];
  category: CodedConcept;
  type: CodedConcept;
  anatomicRegion?: CodedConcept;
  algorithmType: AlgorithmType;
  /** Required unless the segment is MANUAL; kept on edited AI segments. */
  algorithm?: AlgorithmIdentity;
  description?: string;
}

/** One segment's mask over one source frame, on that source's native grid (rows x columns, non-zero = inside). */
export interface FrameMask {
  /** Index into the sources array. */
  source: number;
  /** 1-based frame of a multi-frame source; omit for single-frame sources. */
  frame?: number;
  segment: number;
  mask: Uint8Array;
}

export interface SegWriterOptions {
  seriesDescription: string;
  seriesNumber: number;
  instanceNumber?: number;
  contentLabel: string;
  /** LO, 64 characters at most. */
  contentDescription?: string;
  contentCreatorName?: string;
  equipment: { manufacturer: string; modelName: string; softwareVersions: string[]; deviceSerialNumber: string };
  /** The SEG's own SOP Instance UID, for a caller that refers to it later; default: a fresh one. */
  sopInstanceUID?: string;
  /**
   * Store every given frame, empty ones too (default: empty frames are left out). A correction that erased the whole
   * AI result needs it: a SEG holds at least one frame, and these say which images the reader emptied.
   */
  keepEmptyFrames?: boolean;
  /** Injected for reproducible tests; default: a fresh 2.25 UUID-derived UID and the current time. */
  uid?: () => string;
  now?: Date;
}
