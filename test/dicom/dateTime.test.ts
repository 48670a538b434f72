import { dicomDateTime, dicomInstant } from '../../extension/src/dicom/dateTime';

const AT = new Date(Date.UTC(2026, 11, 2, 4, 5, 6, 78)); // 2026-12-02 04:05:06.078 UTC

it.each<[string, number, string, string, string]>([
  ['UTC', 0, '20261202', '040506.078000', '+0000'],
  ['Berlin', 60, '20261202', '050506.078000', '+0100'],
  ['Kolkata', 330, '20261202', '093506.078000', '+0530'],
  ['New York, the day before', -300, '20261201', '230506.078000', '-0500'],
  ['St. John\'s', -210, '20261202', '003506.078000', '-0330'],
])('writes the local date, time and offset a reader in %s expects, and reads them back', (_, east, date, time, offset) => {
  expect(dicomDateTime(AT, east)).toEqual({ date, time, offset });
  expect(dicomInstant(date, time, offset)).toBe(AT.getTime());
});

it('writes in this viewer\'s zone by default', () => {
  expect(dicomDateTime(AT)).toEqual(dicomDateTime(AT, -AT.getTimezoneOffset()));
  const { date, time, offset } = dicomDateTime(AT);
  expect(dicomInstant(date, time, offset)).toBe(AT.getTime());
});

it.each<[string, string | undefined, string | undefined, string | undefined, number]>([
  ['an offset east of UTC', '20261202', '103000', '+0100', Date.UTC(2026, 11, 2, 9, 30)],
  ['HHMM west of UTC', '20261202', '0430', '-0330', Date.UTC(2026, 11, 2, 8, 0)],
  ['HH', '20261202', '10', '+0000', Date.UTC(2026, 11, 2, 10)],
  ['six fraction digits', '20261202', '101010.123456', '+0000', Date.UTC(2026, 11, 2, 10, 10, 10, 123)],
  ['one fraction digit', '20261202', '101010.5', '+0000', Date.UTC(2026, 11, 2, 10, 10, 10, 500)],
  ['no time: midnight', '20261202', undefined, '+0000', Date.UTC(2026, 11, 2)],
  ['no offset: this viewer\'s zone', '20261202', '103000', undefined, new Date(2026, 11, 2, 10, 30).getTime()],
  ['no date', undefined, '101010', '+0000', NaN],
  ['a malformed date', '2026-12-02', '101010', '+0000', NaN],
  ['a fraction after hours only', '20261202', '10.5', '+0000', NaN],
])('reads %s', (_, date, time, offset, expected) => {
  expect(dicomInstant(date, time, offset)).toBe(expected);
});
