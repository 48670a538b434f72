/**
 * Where each source frame lies in the patient, read from the source as stored: the image's own attributes for a
 * single-frame image, its per-frame (else shared) functional groups for an enhanced multi-frame one. Nothing is
 * invented: a frame that lacks any part has no plane.
 */
import { SourceInstance } from './types';

export interface Plane {
  frameOfReference: string;
  position: number[];
  orientation: number[];
  spacing: number[];
  /** Slice thickness, else spacing between slices (the SEG's Pixel Measures states it, Type 1 with geometry). */
  thickness: number;
  spacingBetweenSlices?: number;
}

type Group = Record<string, unknown>;

export function frameCount(s: SourceInstance): number {
  return Number(s.NumberOfFrames ?? 1) || 1;
}

const first = (value: unknown): Group | undefined => (Array.isArray(value) ? value[0] : value) as Group | undefined;
const numbers = (value: unknown, n: number): number[] | undefined => {
  const list = (Array.isArray(value) ? value : [value]).map(Number);
  return list.length === n && list.every(Number.isFinite) ? list : undefined;
};
/** A decimal string or number as a number; absent, empty or not a number: undefined. */
const decimal = (v: unknown): number | undefined => (v === undefined || String(v).trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

/** The plane of a source frame (1-based for multi-frame images), or undefined when the source does not state it all. */
export function planeOf(s: SourceInstance, frame = 1): Plane | undefined {
  let attributes: { position?: unknown; orientation?: unknown; measures?: Group };
  if (frameCount(s) === 1 && s.ImagePositionPatient !== undefined) {
    attributes = { position: s.ImagePositionPatient, orientation: s.ImageOrientationPatient, measures: s };
  } else {
    // Enhanced multi-frame: a functional group is in the frame's item or, stated once, in the shared one.
    const perFrame = (s.PerFrameFunctionalGroupsSequence as Group[] | undefined)?.[frame - 1];
    const shared = first(s.SharedFunctionalGroupsSequence);
    const group = (name: string) => first(perFrame?.[name]) ?? first(shared?.[name]);
    attributes = {
      position: group('PlanePositionSequence')?.ImagePositionPatient,
      orientation: group('PlaneOrientationSequence')?.ImageOrientationPatient,
      measures: group('PixelMeasuresSequence'),
    };
  }
  const position = numbers(attributes.position, 3);
  const orientation = numbers(attributes.orientation, 6);
  const spacing = numbers(attributes.measures?.PixelSpacing, 2);
  const spacingBetweenSlices = decimal(attributes.measures?.SpacingBetweenSlices);
  const thickness = decimal(attributes.measures?.SliceThickness) ?? spacingBetweenSlices;
  if (!s.FrameOfReferenceUID || !position || !orientation || !spacing || thickness === undefined) return undefined;
  return { frameOfReference: s.FrameOfReferenceUID, position, orientation, spacing, thickness, ...(spacingBetweenSlices !== undefined ? { spacingBetweenSlices } : {}) };
}

/** Distance of a plane along its normal (row x column direction cosines). */
export function alongNormal({ position: [x, y, z], orientation: [rx, ry, rz, cx, cy, cz] }: Plane): number {
  return x * (ry * cz - rz * cy) + y * (rz * cx - rx * cz) + z * (rx * cy - ry * cx);
}

/**
 * The planes of every frame of every source, when all have one and share the frame of reference, orientation, pixel
 * spacing and thickness that a SEG states once for all its frames; else undefined (the SEG states no geometry).
 * Indexed [source][frame - 1].
 */
export function sharedGeometry(sources: SourceInstance[]): Plane[][] | undefined {
  const planes = sources.map((s) => Array.from({ length: frameCount(s) }, (_, i) => planeOf(s, i + 1)));
  const all = planes.flat();
  if (!all.length || all.some((p) => !p)) return undefined;
  const same = (field: (p: Plane) => unknown) => new Set(all.map((p) => JSON.stringify(field(p!)))).size === 1;
  return same((p) => p.frameOfReference) && same((p) => p.orientation) && same((p) => p.spacing) && same((p) => p.thickness)
    ? (planes as Plane[][])
    : undefined;
}
