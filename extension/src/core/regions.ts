/**
 * Connected regions of a binary mask (non-zero = foreground), 8-connected: pixels touching at a corner are one
 * region, as a reader would see them.
 */

/** Each pixel's region number (1..count, 0 for background) and each region's pixel count (index 0 unused). */
export function labelRegions(mask: Uint8Array, width: number, height: number): { labels: Int32Array; sizes: number[] } {
  if (mask.length !== width * height) throw new RangeError(`mask of ${mask.length} pixels is not ${width}x${height}`);
  const labels = new Int32Array(mask.length);
  const sizes = [0];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const region = sizes.length;
    let size = 0;
    labels[start] = region;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop() as number;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (mask[j] && !labels[j]) {
            labels[j] = region;
            stack.push(j);
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/**
 * The mask with only its largest region kept (the first in row order where two are equal); values are kept as
 * they are. An empty mask comes back empty.
 */
export function keepLargestRegion(mask: Uint8Array, width: number, height: number): Uint8Array {
  const { labels, sizes } = labelRegions(mask, width, height);
  if (sizes.length <= 2) return mask.slice();
  let largest = 1;
  for (let r = 2; r < sizes.length; r++) if (sizes[r] > sizes[largest]) largest = r;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) if (labels[i] === largest) out[i] = mask[i];
  return out;
}
