/**
 * Store: the AI segmentation, or the reader's correction of it, as DICOM SEG to the PACS by STOW-RS; and the same
 * SEGs saved as files, for when the PACS will not take them.
 */
import { StoreError } from '../dicomweb/stow';
import { aiSegments, aiSeriesOptions } from '../seg/provenance';
import { readerPersonName } from '../seg/personName';
import { planStore, StorePlan } from '../seg/storePlan';
import { UserError } from '../userError';
import { CommandContext } from './context';
import { Target } from './ports';
import { AiRun, heldByPacs, labelmapOf, sameLabelmap } from './runs';

interface Planned {
  run: AiRun;
  plan: StorePlan;
  /** Whether the PACS already holds the labelmap as it stands. */
  held: boolean;
}

/** The SEGs for the labelmap as it stands: those planned before while it has not changed (same UIDs), else new ones. */
function planned<T extends Target>(ctx: CommandContext<T>, target: T): Planned {
  const { host } = ctx;
  const run = ctx.runs.get(target, host);
  if (!run) {
    const other = ctx.runs.notStorable.get(target.displaySet.displaySetInstanceUID);
    throw new UserError(other
      ? `${other}, so edits to it are not stored from here`
      : 'there is no CMUNeXt segmentation on this series to store: segment, or open a stored SEG');
  }
  const labelmap = labelmapOf(run, target, host);
  const held = Boolean(run.inPacs) && heldByPacs(run, labelmap);
  if (run.planned && sameLabelmap(run.planned.current, labelmap.current)) return { run, plan: run.planned.plan, held };
  const model = ctx.inference.model;
  const described = run.kind === 'reopened' ? run.description : model && {
    segments: aiSegments(model.manifest, { threshold: run.threshold, backend: run.backend }),
    series: aiSeriesOptions(model.manifest, ''),
  };
  if (!described) throw new UserError('the model that made this segmentation is not loaded');
  const { sources, masks, aiMasks, current } = labelmap;
  // Object.is: a reopened AI SEG that names no threshold reads as NaN on both sides, and is still the reference.
  const storedAiUid = run.storedAiSeg && Object.is(run.storedAiSeg.threshold, run.threshold) ? run.storedAiSeg.uid : undefined;
  // The signed-in reader corrected it; app-config names who does where no one signs in.
  const contentCreatorName = readerPersonName(host.signedInProfile()) ?? ctx.contentCreatorName;
  const plan = planStore({ sources, masks, aiMasks, described, storedAiUid, contentCreatorName, now: ctx.now() });
  run.planned = { current, plan };
  return { run, plan, held };
}

export async function store<T extends Target>(ctx: CommandContext<T>, target: T): Promise<void> {
  const { host, panel } = ctx;
  const { run, plan, held } = planned(ctx, target);
  if (held) {
    panel.say('Nothing changed since this segmentation was stored or opened; the PACS already holds it.');
    return;
  }
  panel.say(plan.storing);
  try {
    await ctx.pacs.store(plan.instances);
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    // The PACS took the AI SEG but not the correction: the next Store sends the correction alone, naming it.
    if (plan.aiUid && plan.instances.length > 1 && e.stored.includes(plan.aiUid)) {
      run.storedAiSeg = { uid: plan.aiUid, threshold: run.threshold };
      run.planned = undefined;
    }
    throw new StoreError(`${e.message}. The segmentation stays here: Store again to retry, or save it as a file.`, e.status, e.stored);
  }
  run.inPacs = run.planned!.current;
  run.planned = undefined;
  run.storedAiSeg = plan.aiUid ? { uid: plan.aiUid, threshold: run.threshold } : undefined;
  panel.say(plan.stored);
  host.notify('success', 'Stored to PACS', plan.stored);
}

/** The SEGs Store would send, as files the browser downloads: the same instances, so a later store keeps one copy. */
export async function saveFiles<T extends Target>(ctx: CommandContext<T>, target: T): Promise<void> {
  const { plan } = planned(ctx, target);
  const names = plan.instances.map((bytes, i) => {
    const name = `cmunext-seg-${i + 1}-of-${plan.instances.length}-${Date.now().toString(36)}.dcm`;
    ctx.host.saveFile(name, bytes);
    return name;
  });
  ctx.panel.say(`Saved as ${names.length === 1 ? 'a DICOM SEG file' : `${names.length} DICOM SEG files`} (${names.join(', ')}): import into a PACS or another viewer.`);
}
