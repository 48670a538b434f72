/** Everything a command works with, passed in: the ports, the action gate and the runs. */
import { ActionGate } from './gate';
import { HostPort, InferencePort, PacsPort, PanelPort, Target } from './ports';
import { RunStore } from './runs';

export interface CommandContext<T extends Target = Target> {
  host: HostPort<T>;
  panel: PanelPort;
  inference: InferencePort;
  pacs: PacsPort;
  gate: ActionGate;
  runs: RunStore;
  /** app-config's reader name, used where no one signs in. */
  contentCreatorName: string;
  /** What a whole-series run may keep in the viewer, in MB (app-config seriesMemoryMB); 1024 when absent. */
  seriesMemoryMB?: number;
  now(): Date;
  /** Where a segmentation run's stage figures go (the browser console, for a deployment checking its machines). */
  timings?(t: ClickTimings): void;
}

/** Where the time of a segmentation run went, in milliseconds, summed over its images. */
export interface ClickTimings {
  images: number;
  /** From the click to the command's start: the toolbar's evaluators re-run as the buttons are disabled. */
  toolbarMs: number;
  /** Waiting for the model (zero when it was ready). */
  modelMs: number;
  /** Pixels read from the viewer (loading images not yet cached). */
  readMs: number;
  /** In the worker: display values and model input, the model, probabilities and mask. */
  preMs: number;
  inferenceMs: number;
  postMs: number;
  /** Inside the worker calls but outside those: messages, copies, queueing. */
  transferMs: number;
  /** A new labelmap made and shown; the reader's edits kept, labelmap written, render asked for. */
  labelmapMs: number;
  /** From the last labelmap write to the viewport's next drawing (the labelmap on screen); 0 where none came. */
  renderMs: number;
  totalMs: number;
}
