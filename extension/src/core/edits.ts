/**
 * Re-thresholding under the reader's corrections. The reader's edits are remembered per pixel (painted or erased)
 * across thresholds, so an erasure that a stricter threshold happened to agree with is still there when the
 * threshold is lowered again. Re-thresholding never discards a correction.
 */

/** Per pixel: 0 untouched, 1 painted by the reader, 2 erased by the reader. */
export type EditMap = Uint8Array;

const PAINTED = 1;
const ERASED = 2;

/**
 * The mask to show for a new AI mask. `previousAi` is the AI mask the reader has been editing, `current` what the
 * labelmap holds now, `edits` what earlier re-thresholds remembered (absent the first time).
 */
export function keepEdits(previousAi: Uint8Array, current: Uint8Array, nextAi: Uint8Array, edits?: EditMap): { mask: Uint8Array; edits: EditMap; kept: number } {
  const n = current.length;
  if (previousAi.length !== n || nextAi.length !== n || (edits && edits.length !== n)) {
    throw new Error(`masks differ in size: AI ${previousAi.length}, current ${n}, new AI ${nextAi.length}${edits ? `, edits ${edits.length}` : ''} pixels`);
  }
  const mask = new Uint8Array(n);
  const next = new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const now = current[i] ? 1 : 0;
    // A change from the AI mask is an edit; an older edit holds while the labelmap still agrees with it.
    const edit = now !== (previousAi[i] ? 1 : 0) ? (now ? PAINTED : ERASED) : edits && edits[i] === (now ? PAINTED : ERASED) ? edits[i] : 0;
    next[i] = edit;
    if (edit) kept++;
    mask[i] = edit === PAINTED ? 1 : edit === ERASED ? 0 : nextAi[i] ? 1 : 0;
  }
  return { mask, edits: next, kept };
}
