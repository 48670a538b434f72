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
  now(): Date;
}
