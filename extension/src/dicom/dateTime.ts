/**
 * DICOM DA/TM with Timezone Offset From UTC (0008,0201): written in the local time a reader sees on the PACS, with
 * its offset; read back as an instant, so SEGs from tools in other zones, or that write UTC, order by real time.
 */

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, '0');

/**
 * The date (YYYYMMDD), time (HHMMSS.ffffff; milliseconds order two SEGs made within one second) and offset (±HHMM)
 * at `east` minutes from UTC, by default this viewer's zone at that instant.
 */
export function dicomDateTime(d: Date, east = -d.getTimezoneOffset()): { date: string; time: string; offset: string } {
  const local = new Date(d.getTime() + east * 60_000); // its UTC fields are the local ones
  return {
    date: `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}`,
    time: `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}000`,
    offset: `${east < 0 ? '-' : '+'}${pad(east / 60)}${pad(east % 60)}`,
  };
}

/**
 * Milliseconds since the epoch of a DA and TM (HH, HHMM, HHMMSS, HHMMSS.F to .FFFFFF), at the given ±HHMM offset, or
 * in this viewer's zone when none is given (DICOM: the creating system's local time; most often the same site's).
 * NaN when the date is missing or malformed; a missing time is midnight.
 */
export function dicomInstant(date?: string, time?: string, offset?: string): number {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date?.trim() ?? '');
  if (!d) return NaN;
  const t = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?$/.exec(time?.trim() || '00');
  if (!t) return NaN;
  const [y, mo, day] = [Number(d[1]), Number(d[2]) - 1, Number(d[3])];
  const [h, mi, s] = [Number(t[1]), Number(t[2] ?? 0), Number(t[3] ?? 0)];
  const ms = Number((t[4] ?? '').padEnd(3, '0').slice(0, 3));
  const z = /^([+-])(\d{2})(\d{2})$/.exec(offset?.trim() ?? '');
  if (!z) return new Date(y, mo, day, h, mi, s, ms).getTime();
  const east = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  return Date.UTC(y, mo, day, h, mi, s, ms) - east * 60_000;
}
