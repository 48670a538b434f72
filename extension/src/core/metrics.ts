/** Foreground pixel counts of two binary masks (non-zero = foreground) and of their intersection. */
export function overlap(a: Uint8Array, b: Uint8Array): { a: number; b: number; both: number } {
  if (a.length !== b.length) throw new RangeError(`masks differ in size: ${a.length} and ${b.length} pixels`);
  let na = 0;
  let nb = 0;
  let both = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0;
    const y = b[i] !== 0;
    if (x) na++;
    if (y) nb++;
    if (x && y) both++;
  }
  return { a: na, b: nb, both };
}

/** IoU and F1 of a prediction against the truth; an empty prediction of an empty truth counts as perfect. */
export function iouF1(pred: Uint8Array, truth: Uint8Array): { iou: number; f1: number } {
  const { a, b, both } = overlap(pred, truth);
  const union = a + b - both;
  if (union === 0) return { iou: 1, f1: 1 };
  return { iou: both / union, f1: (2 * both) / (a + b) };
}
