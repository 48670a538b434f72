/** A SEG the PACS holds compressed: read through WADO-RS from the embedded Orthanc, and refused by name when raw. */
import { readPart10, writePart10 } from '../../extension/src/dicom/part10';
import { retrieveInstance, SegInstanceRef } from '../../extension/src/dicomweb/retrieve';
import { readSeg, SegReadError } from '../../extension/src/seg/readSeg';
import { writeSeg } from '../../extension/src/seg/writeSeg';
import { Pacs, startOrthanc } from '../../scripts/pacs';
import { metadataOf, PATIENT_STUDY, secondaryCapture } from '../helpers/dicom';
import { MANUAL_LESION as LESION } from '../helpers/segments';

const R = 16;
const C = 24;
const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
const mask = Uint8Array.from({ length: R * C }, (_, i) => (Math.floor(i / C) > 3 && i % C < 9 ? 1 : 0));

/** A FRACTIONAL SEG (8-bit pixels, which Orthanc can compress losslessly; packed 1-bit BINARY it cannot). */
function fractionalSeg(): { bytes: Uint8Array; sop: string; series: string } {
  const source = metadataOf(secondaryCapture('2.25.4100', new Uint8Array(R * C), R, C));
  const binary = readPart10(writeSeg([source], [LESION], [{ source: 0, segment: 1, mask }],
    { seriesDescription: 'Fractional (other tool)', seriesNumber: 400, contentLabel: 'OTHER', equipment: { manufacturer: 'Other', modelName: 'Manual', softwareVersions: ['1'], deviceSerialNumber: '1' } })).dataset;
  const ds: Record<string, any> = {
    ...binary,
    SegmentationType: 'FRACTIONAL',
    SegmentationFractionalType: 'PROBABILITY',
    MaximumFractionalValue: 255,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelData: [mask.map((v) => (v ? 255 : 0)).buffer],
  };
  return { bytes: writePart10(ds), sop: ds.SOPInstanceUID, series: ds.SeriesInstanceUID };
}

let pacs: Pacs;
beforeAll(async () => {
  pacs = await startOrthanc();
});
afterAll(() => pacs?.stop());

const orthanc = async (path: string, init?: RequestInit) => {
  const r = await fetch(`${pacs.url}${path}`, init);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return r;
};

it('asks the PACS for it uncompressed, and reads a SEG stored as JPEG-LS; the stored bytes themselves are refused by name', async () => {
  const seg = fractionalSeg();
  const { ID: plain } = await (await orthanc('/instances', { method: 'POST', body: seg.bytes as Uint8Array<ArrayBuffer> })).json();
  const compressed = new Uint8Array(await (await orthanc(`/instances/${plain}/modify`, {
    method: 'POST', body: JSON.stringify({ Transcode: JPEG_LS_LOSSLESS, Force: true, Keep: ['SOPInstanceUID', 'SeriesInstanceUID'] }),
  })).arrayBuffer());
  await orthanc(`/instances/${plain}`, { method: 'DELETE' });
  const { ID: stored } = await (await orthanc('/instances', { method: 'POST', body: compressed })).json();
  const raw = new Uint8Array(await (await orthanc(`/instances/${stored}/file`)).arrayBuffer());
  expect(readPart10(raw).transferSyntaxUID).toBe(JPEG_LS_LOSSLESS);
  expect(() => readSeg(raw)).toThrow(SegReadError);
  expect(() => readSeg(raw)).toThrow(`its pixel data is stored in JPEG-LS Lossless (${JPEG_LS_LOSSLESS}), which this reader does not decode`);

  const ref: SegInstanceRef = { seriesInstanceUID: seg.series, sopInstanceUID: seg.sop, seriesDescription: '', seriesNumber: 400, seriesInstant: NaN };
  const back = readSeg(await retrieveInstance(`${pacs.url}/dicom-web`, PATIENT_STUDY.StudyInstanceUID, ref));
  expect(back.sopInstanceUID).toBe(seg.sop);
  expect(back.frames).toHaveLength(1);
  expect(Array.from(back.frames[0].mask)).toEqual(Array.from(mask));
});

it('asks again for the instance as stored when the PACS cannot convert it (406)', async () => {
  const accepts: string[] = [];
  const fetchFn = (async (_url: string, init: RequestInit) => {
    const acceptHeader = (init.headers as Record<string, string>).Accept;
    accepts.push(acceptHeader);
    return acceptHeader.endsWith('transfer-syntax=*') ? new Response(Uint8Array.from([7, 8])) : new Response('', { status: 406 });
  }) as typeof fetch;
  const ref: SegInstanceRef = { seriesInstanceUID: '2.25.1', sopInstanceUID: '2.25.2', seriesDescription: '', seriesNumber: 1, seriesInstant: NaN };
  expect(Array.from(await retrieveInstance('http://pacs.example/dicom-web', '2.25.0', ref, { Authorization: 'Bearer t' }, fetchFn))).toEqual([7, 8]);
  expect(accepts).toEqual([
    'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1',
    'multipart/related; type="application/dicom"; transfer-syntax=*',
  ]);
});
