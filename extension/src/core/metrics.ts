/** Overlap of two binary masks (non-zero = foreground); an empty prediction of an empty truth counts as perfect. */
export function iouF1(pred: Uint8Array, truth: Uint8Array): { iou: number; f1: number } {
  if (pred.length !== truth.length) throw new RangeError(`masks differ in size: ${pred.length} and ${truth.length} pixels`);
  let inter = 0;
  let p = 0;
  let t = 0;
  for (let i = 0; i < pred.length; i++) {
    const a = pred[i] !== 0;
    const b = truth[i] !== 0;
    if (a) p++;
    if (b) t++;
    if (a && b) inter++;
  }
  const union = p + t - inter;
  if (union === 0) return { iou: 1, f1: 1 };
  return { iou: inter / union, f1: (2 * inter) / (p + t) };
}
