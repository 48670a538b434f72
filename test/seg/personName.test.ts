import { readerPersonName } from '../../extension/src/seg/personName';

describe('the signed-in reader as a DICOM person name', () => {
  it.each<[string, unknown, string | undefined]>([
    ['family and given names', { family_name: 'Reader', given_name: 'Jane', name: 'Dr Jane Reader' }, 'Reader^Jane'],
    ['a display name only', { name: 'Jane Reader' }, 'Jane Reader'],
    ['a family name only', { family_name: 'Reader', name: 'Jane Reader' }, 'Reader'],
    ['a user name only', { preferred_username: 'jreader', email: 'j@example.org' }, 'jreader'],
    ['separators and control characters in a claim', { family_name: 'Re^ad=er\\', given_name: 'Ja\nne' }, 'Re ad er^Ja ne'],
    ['a name over 64 characters', { name: 'x'.repeat(70) }, 'x'.repeat(64)],
    ['claims that name nobody', { email: 'j@example.org', name: '  ' }, undefined],
    ['claims that are not strings', { family_name: ['Reader'], given_name: 1 }, undefined],
    ['no profile', undefined, undefined],
  ])('%s', (_, profile, expected) => {
    expect(readerPersonName(profile)).toBe(expected);
  });
});
