import { keepEdits } from '../../extension/src/core/edits';

const m = (s: string) => Uint8Array.from(s, (c) => Number(c));
const str = (a: Uint8Array) => Array.from(a).join('');

describe('keepEdits: re-thresholding under the reader\'s corrections', () => {
  it.each([
    // previous AI, reader's current, new AI -> shown, edits (1 painted, 2 erased)
    ['no edits: the new AI mask', '0110', '0110', '0111', '0111', '0000'],
    ['a painted pixel stays when the new AI drops it', '0100', '0110', '0000', '0010', '0010'],
    ['an erased pixel stays erased when the new AI keeps it', '0110', '0100', '1110', '1100', '0020'],
    ['paint and erase together', '1100', '0110', '1001', '0011', '2010'],
    ['the new AI grows where the reader did not touch', '0000', '1000', '0111', '1111', '1000'],
  ])('%s', (_, previous, current, next, shown, edits) => {
    const r = keepEdits(m(previous), m(current), m(next));
    expect(str(r.mask)).toBe(shown);
    expect(str(r.edits)).toBe(edits);
    expect(r.kept).toBe(edits.replace(/0/g, '').length);
  });

  it('an erasure survives a stricter threshold that agreed with it, and a return to the first', () => {
    const ai05 = m('1111');
    const ai09 = m('0110');
    const erased = m('1011'); // the reader erased pixel 1
    const strict = keepEdits(ai05, erased, ai09);
    expect(str(strict.mask)).toBe('0010');
    const back = keepEdits(ai09, strict.mask, ai05, strict.edits);
    expect(str(back.mask)).toBe('1011');
    expect(back.kept).toBe(1);
  });

  it('an edit the reader undoes is forgotten', () => {
    const first = keepEdits(m('0110'), m('0100'), m('0110')); // erased pixel 2
    expect(str(first.mask)).toBe('0100');
    // The reader paints pixel 2 back: it agrees with the AI again, so the new AI decides it.
    const second = keepEdits(m('0110'), m('0110'), m('0000'), first.edits);
    expect(str(second.mask)).toBe('0000');
    expect(second.kept).toBe(0);
  });

  it('treats any non-zero value as foreground', () => {
    expect(Array.from(keepEdits(Uint8Array.of(0, 255), Uint8Array.of(2, 255), Uint8Array.of(0, 0)).mask)).toEqual([1, 0]);
  });

  it('names the sizes when the masks differ', () => {
    expect(() => keepEdits(m('01'), m('011'), m('01'))).toThrow('masks differ in size: AI 2, current 3, new AI 2 pixels');
  });
});
