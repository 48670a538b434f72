/** A new threshold over the kept probabilities: no new inference; the reader's edits stay where they are. */
import { keepEdits } from '../core/edits';
import { toMask } from '../core/postprocess';
import { UserError } from '../userError';
import { CommandContext } from './context';
import { Target } from './ports';

export function rethreshold<T extends Target>(ctx: CommandContext<T>, threshold: number): void {
  const { host, panel, gate } = ctx;
  if (!(threshold > 0 && threshold < 1)) throw new UserError(`the threshold must be above 0 and below 1, got ${threshold}`);
  const target = host.activeTarget();
  const run = ctx.runs.get(target, host);
  if (!run) throw new UserError('segment an image first; the threshold applies to the AI result');
  if (gate.busy) {
    // Frames still to come are cut at the run's threshold: the slider goes back to it.
    panel.setThreshold(run.threshold);
    gate.refuseWhileBusy('change the threshold');
  }
  if (run.kind === 'reopened') throw new UserError('a SEG reopened from the PACS holds no probabilities to re-threshold; run CMUNeXt segment again for that');
  let kept = 0;
  for (const [imageId, f] of run.frames) {
    const next = toMask(f.probabilities, f.width, f.height, threshold);
    const shown = keepEdits(f.mask, host.readMask(run.segmentationId, imageId) ?? f.mask, next, f.edits);
    host.writeLabels(run.segmentationId, imageId, shown.mask);
    kept += shown.kept;
    f.mask = next;
    f.edits = shown.edits;
  }
  run.threshold = threshold;
  host.segmentationModified(run.segmentationId, target);
  panel.say(`Threshold ${threshold.toFixed(2)} applied to ${run.frames.size} image(s) without new inference${kept ? `; ${kept} edited pixel(s) kept` : ''}.`);
}
