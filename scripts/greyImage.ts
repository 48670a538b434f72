import { readImageFile } from '../cli/imageFile';
import { toDisplay } from '../extension/src/core/pixels';
import { resizeBilinear } from '../extension/src/core/resize';

/**
 * A grey image file's display values as 8-bit stored pixels, the source of the generated DICOM studies and
 * fixtures; on `grid` (bilinear, rounded) when one is given.
 */
export async function greyImage(path: string, grid?: { columns: number; rows: number }): Promise<{ rows: number; columns: number; pixels: Uint8Array }> {
  const d = toDisplay(await readImageFile(path));
  const g = Float32Array.from({ length: d.width * d.height }, (_, i) => d.data[3 * i]);
  if (!grid) return { rows: d.height, columns: d.width, pixels: Uint8Array.from(g) };
  return { ...grid, pixels: Uint8Array.from(resizeBilinear(g, d.width, d.height, 1, grid.columns, grid.rows), Math.round) };
}
