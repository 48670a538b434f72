import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project folder, whether this runs from scripts/ (ts-jest) or dist-node/scripts/ (compiled). */
export function projectRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    // dist-node/ holds a copy of package.json (compiled imports of it); the project has models/ beside it.
    if (existsSync(pkg) && existsSync(join(dir, 'models')) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'ohif-cmunext') return dir;
  }
  throw new Error(`no ohif-cmunext package.json above ${from}`);
}

/** The folder of the model the viewer uses by default (extension/package.json names it). */
export function defaultModelDir(root = projectRoot()): string {
  return join(root, 'models', JSON.parse(readFileSync(join(root, 'extension/package.json'), 'utf8')).cmunext.defaultModel);
}
