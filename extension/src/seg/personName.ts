/** The signed-in reader as a DICOM person name (PN), for ContentCreatorName of what the reader stored. */

/** One PN component: no component or group separators, backslash or control characters. */
const component = (v: unknown): string => (typeof v === 'string' ? v.replace(/[\\^=\p{Cc}]/gu, ' ').replace(/\s+/g, ' ').trim() : '');

/**
 * From OpenID Connect claims (an ID token's profile): family^given where both are given, else the display name or
 * the user name as one component; undefined when the profile names nobody. At most 64 characters, as PN allows.
 */
export function readerPersonName(profile: unknown): string | undefined {
  if (!profile || typeof profile !== 'object') return undefined;
  const p = profile as Record<string, unknown>;
  const [family, given] = [component(p.family_name), component(p.given_name)];
  const name = family && given ? `${family}^${given}` : family || component(p.name) || component(p.preferred_username);
  return name ? name.slice(0, 64) : undefined;
}
