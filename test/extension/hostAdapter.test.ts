import { dicomwebRoot, frameOf, HostError, pacsHeaders } from '../../extension/src/hostAdapter';
import { OhifServices } from '../../extension/src/ohif';

describe('host adapter helpers', () => {
  it.each<[string, number | undefined]>([
    ['wadors:/dicom-web/studies/1/series/2/instances/3/frames/7', 7],
    ['wadors:http://pacs/dicom-web/studies/1/series/2/instances/3/frames/12?x=1', 12],
    ['wadouri:http://pacs/wado?objectUID=3&frame=4', 4],
    ['wadors:/dicom-web/studies/1/series/2/instances/3', undefined],
  ])('frame of %s is %p', (imageId, frame) => {
    expect(frameOf(imageId)).toBe(frame);
  });

  it('resolves the default data source to an absolute DICOMweb root', () => {
    (globalThis as any).location = { href: 'http://127.0.0.1:3000/cmunext?StudyInstanceUIDs=1' };
    const appConfig = {
      defaultDataSourceName: 'pacs',
      dataSources: [
        { sourceName: 'other', configuration: { wadoRoot: 'https://elsewhere/dicomweb' } },
        { sourceName: 'pacs', configuration: { wadoRoot: '/dicom-web/' } },
      ],
    };
    expect(dicomwebRoot(appConfig)).toBe('http://127.0.0.1:3000/dicom-web');
    expect(() => dicomwebRoot({ dataSources: [] })).toThrow(HostError);
    delete (globalThis as any).location;
  });

  it.each<[string, OhifServices['userAuthenticationService'], Record<string, string>]>([
    ['a signed-in user', { getAuthorizationHeader: () => ({ Authorization: 'Bearer t' }) }, { Authorization: 'Bearer t' }],
    ['no one signed in', { getAuthorizationHeader: () => undefined }, {}],
    ['a viewer without sign-in', undefined, {}],
  ])('PACS headers for %s', (_, userAuthenticationService, expected) => {
    expect(pacsHeaders({ userAuthenticationService } as unknown as OhifServices)).toEqual(expected);
  });
});
