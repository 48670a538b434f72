/** Store: the AI segmentation, or the reader's correction of it, as DICOM SEG to the PACS by STOW-RS. */
import { aiSegments, aiSeriesOptions } from '../seg/provenance';
import { readerPersonName } from '../seg/personName';
import { planStore } from '../seg/storePlan';
import { UserError } from '../userError';
import { CommandContext } from './context';
import { Target } from './ports';
import { heldByPacs, labelmapOf } from './runs';

export async function store<T extends Target>(ctx: CommandContext<T>, target: T): Promise<void> {
  const { host, panel } = ctx;
  const run = ctx.runs.get(target, host);
  if (!run) {
    const other = ctx.runs.notStorable.get(target.displaySet.displaySetInstanceUID);
    throw new UserError(other
      ? `${other}, so edits to it are not stored from here`
      : 'there is no CMUNeXt segmentation on this series to store: segment, or open a stored SEG');
  }
  const model = ctx.inference.model;
  const described = run.kind === 'reopened' ? run.description : model && {
    segments: aiSegments(model.manifest, { threshold: run.threshold, backend: run.backend }),
    series: aiSeriesOptions(model.manifest, ''),
  };
  if (!described) throw new UserError('the model that made this segmentation is not loaded');
  const labelmap = labelmapOf(run, target, host);
  if (run.inPacs && heldByPacs(run, labelmap)) {
    panel.say('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
    return;
  }
  const { sources, masks, aiMasks, current } = labelmap;
  // Object.is: a reopened AI SEG that names no threshold reads as NaN on both sides, and is still the reference.
  const storedAiUid = run.storedAiSeg && Object.is(run.storedAiSeg.threshold, run.threshold) ? run.storedAiSeg.uid : undefined;
  // The signed-in reader corrected it; app-config names who does where no one signs in.
  const contentCreatorName = readerPersonName(host.signedInProfile()) ?? ctx.contentCreatorName;
  const plan = planStore({ sources, masks, aiMasks, described, storedAiUid, contentCreatorName, now: ctx.now() });
  panel.say(plan.storing);
  // A refusal leaves the run as it was: the labelmap stays, and Store tries again.
  await ctx.pacs.store(plan.instances);
  run.inPacs = current;
  run.storedAiSeg = plan.aiUid ? { uid: plan.aiUid, threshold: run.threshold } : undefined;
  panel.say(plan.stored);
  host.notify('success', 'Stored to PACS', plan.stored);
}
