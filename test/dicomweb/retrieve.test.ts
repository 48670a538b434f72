import { findSegInstances } from '../../extension/src/dicomweb/retrieve';

const value = (vr: string, v: string | number) => ({ vr, Value: [v] });
const series = (uid: string, number: number, date?: string, time?: string, offset?: string) => ({
  '0020000E': value('UI', uid),
  '0008103E': value('LO', uid),
  '00200011': value('IS', number),
  ...(date ? { '00080021': value('DA', date) } : {}),
  ...(time ? { '00080031': value('TM', time) } : {}),
  ...(offset ? { '00080201': value('SH', offset) } : {}),
});

/** A QIDO-RS server that lists these SEG series, one instance each named after its series. */
function qido(list: object[]): typeof fetch {
  return (async (url: string) => {
    const instances = /\/series\/([^/]+)\/instances$/.exec(new URL(url).pathname);
    const body = instances ? [{ '00080018': value('UI', `${instances[1]}.1`) }] : list;
    return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/dicom+json' } });
  }) as typeof fetch;
}

it('orders SEGs newest first by real time, whatever zone or offset each tool wrote', async () => {
  const refs = await findSegInstances('http://pacs.example/dicom-web', '2.25.0', {}, qido([
    series('utc-0930', 1, '20261202', '093000', '+0000'),
    series('kolkata-1445', 2, '20261202', '144500.000000', '+0530'), // 09:15 UTC
    series('newyork-0440', 3, '20261202', '0440', '-0500'), // 09:40 UTC
    series('undated', 9),
    series('next-day', 4, '20261203', '000000', '+0000'),
  ]));
  expect(refs.map((r) => r.seriesInstanceUID)).toEqual(['next-day', 'newyork-0440', 'utc-0930', 'kolkata-1445', 'undated']);
  expect(refs[0]).toMatchObject({ sopInstanceUID: 'next-day.1', seriesNumber: 4, seriesInstant: Date.UTC(2026, 11, 3) });
});

it('orders SEGs of the same time by series number, the higher first', async () => {
  const refs = await findSegInstances('http://pacs.example/dicom-web', '2.25.0', {}, qido([
    series('ai', 9001, '20261202', '093000', '+0000'),
    series('correction', 9002, '20261202', '093000', '+0000'),
  ]));
  expect(refs.map((r) => r.seriesInstanceUID)).toEqual(['correction', 'ai']);
});
