import { overlap } from '../core/metrics';
import { SegmentDescription, SegWriterOptions } from './types';
import { CORRECTION_CONTENT_LABEL } from './provenance';

/** How a corrected segment differs from the AI's: what teams audit and retrain on. */
export interface Agreement {
  segment: number;
  dice: number;
  /** Pixels the reader added to / removed from the AI mask. */
  added: number;
  removed: number;
  aiPixels: number;
  correctedPixels: number;
}

/** Dice and pixel changes over all frames of one segment; frames pair up by index, masks by pixel. */
export function agreement(segment: number, ai: Uint8Array[], corrected: Uint8Array[]): Agreement {
  if (ai.length !== corrected.length) throw new RangeError(`segment ${segment}: ${ai.length} AI frame(s) but ${corrected.length} corrected`);
  let both = 0;
  let aiPixels = 0;
  let correctedPixels = 0;
  ai.forEach((a, f) => {
    if (a.length !== corrected[f].length) throw new RangeError(`segment ${segment}, frame ${f + 1}: masks differ in size (${a.length} and ${corrected[f].length})`);
    const o = overlap(a, corrected[f]);
    both += o.both;
    aiPixels += o.a;
    correctedPixels += o.b;
  });
  const added = correctedPixels - both;
  const removed = aiPixels - both;
  const total = aiPixels + correctedPixels;
  return { segment, dice: total ? (2 * both) / total : 1, added, removed, aiPixels, correctedPixels };
}

/**
 * Segments for the corrected SEG: an edited AI segment becomes SEMIAUTOMATIC, keeps its algorithm identification,
 * and records its agreement with the AI output and which stored AI SEG it corrects.
 */
export function correctedSegments(original: SegmentDescription[], stats: Agreement[], aiSegSopInstanceUID?: string): SegmentDescription[] {
  return original.map((s) => {
    const a = stats.find((x) => x.segment === s.number);
    if (!a || (a.added === 0 && a.removed === 0)) return s;
    return {
      ...s,
      algorithmType: s.algorithmType === 'MANUAL' ? 'MANUAL' : 'SEMIAUTOMATIC',
      algorithm: s.algorithm && {
        ...s.algorithm,
        parameters: {
          ...s.algorithm.parameters,
          ai_dice: a.dice.toFixed(4),
          pixels_added: a.added,
          pixels_removed: a.removed,
          ...(aiSegSopInstanceUID ? { ai_seg: aiSegSopInstanceUID } : {}),
        },
      },
    };
  });
}

/** ContentDescription (64 characters) summarising the correction, e.g. "Reader-corrected AI: Dice 0.912, +1203/-450 px". */
export function correctionDescription(stats: Agreement[]): string {
  const edited = stats.filter((a) => a.added || a.removed);
  if (!edited.length) return 'AI output reviewed without changes';
  if (edited.length === 1) {
    const a = edited[0];
    return `Reader-corrected AI: Dice ${a.dice.toFixed(3)}, +${a.added}/-${a.removed} px`.slice(0, 64);
  }
  const minDice = Math.min(...edited.map((a) => a.dice));
  return `Reader-corrected AI: ${edited.length} segments, min Dice ${minDice.toFixed(3)}`.slice(0, 64);
}

export function correctedSeriesOptions(ai: SegWriterOptions, stats: Agreement[], contentCreatorName: string): SegWriterOptions {
  return {
    ...ai,
    seriesDescription: ai.seriesDescription.replace(/^AI segmentation/, 'Corrected AI segmentation').slice(0, 64),
    seriesNumber: ai.seriesNumber + 1,
    contentLabel: CORRECTION_CONTENT_LABEL,
    contentDescription: correctionDescription(stats),
    contentCreatorName,
  };
}
