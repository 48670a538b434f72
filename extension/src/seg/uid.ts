/** A globally unique DICOM UID under the 2.25 root (ISO/IEC 9834-8 UUID as a decimal integer). */
export function newUid(): string {
  const hex = globalThis.crypto.randomUUID().replace(/-/g, '');
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}
