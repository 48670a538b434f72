/**
 * The main job: the OHIF viewer with the CMUNeXt tool on an embedded PACS holding the demo studies.
 *   npm start                      # Orthanc from Debian packages, demo studies loaded, http://127.0.0.1:3000
 *   PORT=8080 npm start            # another port
 *   PACS_URL=https://pacs/dicom-web npm start   # an existing DICOMweb PACS instead (nothing is uploaded to it)
 *   PACS_DIR=/srv/cmunext-pacs npm start       # where the embedded PACS keeps what it stores (see pacsDir)
 */
import { projectRoot } from './root';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { notYetStored, pacsDir, startOrthanc, uploadFiles, Pacs } from './pacs';
import { appConfig, EXTENSION_MODULES, projectMounts, startServer } from './server';
import { ensureViewer } from './viewer';

const ROOT = projectRoot();

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  for (const f of ['extension/dist/cmunext/cmunext-worker.js', 'modes/dist/cmunext/cmunext-mode.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build`);
  }
  const viewerDir = ensureViewer();
  let pacs: Pacs | undefined;
  let dicomweb = process.env.PACS_URL;
  if (!dicomweb) {
    const dir = pacsDir();
    pacs = await startOrthanc(dir);
    dicomweb = `${pacs.url}/dicom-web`;
    const studies = join(ROOT, 'demo', 'studies');
    const files = await notYetStored(dicomweb, readdirSync(studies).filter((f) => f.endsWith('.dcm')).map((f) => join(studies, f)));
    await uploadFiles(dicomweb, files);
    console.log(`embedded PACS (Orthanc) at ${pacs.url}, its database in ${dir}; ${files.length} demo instances loaded${files.length ? '' : ' (all there already)'}`);
  }
  const server = await startServer({
    viewerDir,
    mounts: projectMounts(ROOT),
    appConfig: appConfig(EXTENSION_MODULES),
    dicomweb,
    port,
  });
  console.log(`\nOHIF viewer with CMUNeXt segment: http://127.0.0.1:${port}/  (PACS: ${process.env.PACS_URL ?? 'embedded Orthanc'})\nCtrl-C stops it.`);
  const stop = async () => {
    server.close();
    await pacs?.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(`npm start: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
