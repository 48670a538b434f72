/** One action at a time: no store holds part of a run, no double click stores twice; the buttons say why they wait. */
import { UserError } from '../userError';

export class ActionGate {
  /** What the tool is doing while it does it, e.g. "segmenting". */
  private activity?: string;
  /** Cancels the run under way (while the model loads, images are read, or between frames in the worker). */
  abort?: AbortController;

  /** `changed`: called when an action starts and when it ends (the toolbar re-evaluates its buttons). */
  constructor(private readonly changed: (busy: boolean) => void = () => undefined) {}

  get busy(): boolean {
    return this.activity !== undefined;
  }

  /** Why the buttons wait, or undefined when no action is under way. */
  whyBusy(): string | undefined {
    return this.activity && `CMUNeXt is ${this.activity}`;
  }

  /** For what the disabled buttons do not guard: a hotkey, the threshold slider, a second click before they update. */
  refuseWhileBusy(what: string): void {
    if (this.activity) {
      throw new UserError(`CMUNeXt is ${this.activity}: ${what} when it has finished${this.abort ? ', or cancel it (the images done are kept)' : ''}`);
    }
  }

  /** Runs one action with the buttons disabled, saying why; refused while another runs. */
  async exclusive(activity: string, what: string, action: () => Promise<void>): Promise<void> {
    this.refuseWhileBusy(what);
    this.activity = activity;
    this.changed(true);
    try {
      await action();
    } finally {
      this.activity = undefined;
      this.changed(false);
    }
  }
}
