import { colorLut, dicomwebRoots, DicomwebRoots, frameOf, HostError, pacsHeaders, signedInProfile } from '../../extension/src/hostAdapter';
import { DataSourceDefinition, OhifServices } from '../../extension/src/ohif';

describe('host adapter helpers', () => {
  it.each<[string, number | undefined]>([
    ['wadors:/dicom-web/studies/1/series/2/instances/3/frames/7', 7],
    ['wadors:http://pacs/dicom-web/studies/1/series/2/instances/3/frames/12?x=1', 12],
    ['wadouri:http://pacs/wado?objectUID=3&frame=4', 4],
    ['wadors:/dicom-web/studies/1/series/2/instances/3', undefined],
  ])('frame of %s is %p', (imageId, frame) => {
    expect(frameOf(imageId)).toBe(frame);
  });

  const defaults = [[0, 0, 0, 0], [221, 84, 84, 255], [77, 228, 121, 255], [166, 70, 235, 255]];
  it.each<[string, { number: number; color: [number, number, number] }[], number[][]]>([
    ['one segment', [{ number: 1, color: [230, 80, 60] }], [[0, 0, 0, 0], [230, 80, 60, 255]]],
    ['segments 1 and 2', [{ number: 2, color: [60, 120, 230] }, { number: 1, color: [220, 160, 40] }], [[0, 0, 0, 0], [220, 160, 40, 255], [60, 120, 230, 255]]],
    ['a gap: Cornerstone\'s own colour there', [{ number: 3, color: [1, 2, 3] }, { number: 1, color: [4, 5, 6] }], [[0, 0, 0, 0], [4, 5, 6, 255], [77, 228, 121, 255], [1, 2, 3, 255]]],
  ])('colour LUT of %s: the segments\' colours at their numbers, background clear', (_, segments, lut) => {
    expect(colorLut(segments.map((s) => ({ ...s, label: `S${s.number}` })), defaults)).toEqual(lut);
  });

  const pacs = { sourceName: 'pacs', configuration: { qidoRoot: '/dicom-web/', wadoRoot: '/dicom-web/', omitQuotationForMultipartRequest: true } };
  const other = { sourceName: 'other', configuration: { qidoRoot: 'https://qido.example/rs', wadoRoot: 'https://wado.example/rs/' } };
  const appConfig = { defaultDataSourceName: 'pacs', dataSources: [other, pacs] };
  it.each<[string, DataSourceDefinition | undefined, object, DicomwebRoots | RegExp]>([
    ['the active data source, as OHIF reports it', pacs, appConfig, { qido: 'http://127.0.0.1:3000/dicom-web', wado: 'http://127.0.0.1:3000/dicom-web', omitQuotes: true }],
    ['a study opened from another data source: its own roots, QIDO and WADO apart', other, appConfig, { qido: 'https://qido.example/rs', wado: 'https://wado.example/rs', omitQuotes: false }],
    ['no active data source reported: the default one', undefined, appConfig, { qido: 'http://127.0.0.1:3000/dicom-web', wado: 'http://127.0.0.1:3000/dicom-web', omitQuotes: true }],
    ['a source with a WADO root alone', { sourceName: 'w', configuration: { wadoRoot: '/wado' } }, {}, { qido: 'http://127.0.0.1:3000/wado', wado: 'http://127.0.0.1:3000/wado', omitQuotes: false }],
    ['a data source that is not DICOMweb', { sourceName: 'local', configuration: {} }, appConfig, /^the study's data source "local" is not a DICOMweb PACS/],
    ['no data source at all', undefined, { dataSources: [] }, /^the viewer has no DICOMweb data source to store to$/],
  ])('DICOMweb roots: %s', (_, active, config, expected) => {
    (globalThis as any).location = { href: 'http://127.0.0.1:3000/cmunext?StudyInstanceUIDs=1' };
    try {
      const extensionManager = { getModuleEntry: () => undefined, getActiveDataSourceDefinition: () => active, appConfig: config };
      if (expected instanceof RegExp) {
        expect(() => dicomwebRoots(extensionManager)).toThrow(HostError);
        expect(() => dicomwebRoots(extensionManager)).toThrow(expected);
      } else {
        expect(dicomwebRoots(extensionManager)).toEqual(expected);
      }
    } finally {
      delete (globalThis as any).location;
    }
  });

  it.each<[string, OhifServices['userAuthenticationService'], Record<string, string>]>([
    ['a signed-in user', { getAuthorizationHeader: () => ({ Authorization: 'Bearer t' }) }, { Authorization: 'Bearer t' }],
    ['no one signed in', { getAuthorizationHeader: () => undefined }, {}],
    ['a viewer without sign-in', undefined, {}],
  ])('PACS headers for %s', (_, userAuthenticationService, expected) => {
    expect(pacsHeaders({ userAuthenticationService } as unknown as OhifServices)).toEqual(expected);
  });

  it.each<[string, OhifServices['userAuthenticationService'], unknown]>([
    ['a signed-in user', { getAuthorizationHeader: () => ({ Authorization: 'Bearer t' }), getUser: () => ({ profile: { name: 'Jane Reader' } }) }, { name: 'Jane Reader' }],
    // OHIF's default getUser warns "NOT IMPLEMENTED" on every call: not asked without sign-in.
    ['no one signed in', { getAuthorizationHeader: () => undefined, getUser: () => { throw new Error('asked'); } }, undefined],
    ['a viewer without sign-in', undefined, undefined],
  ])('reader profile for %s', (_, userAuthenticationService, expected) => {
    expect(signedInProfile({ userAuthenticationService } as unknown as OhifServices)).toEqual(expected);
  });
});
