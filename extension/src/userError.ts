/**
 * What the reader should read: a failure whose message says what to do (select an image, store first, the PACS
 * refused). Anything else thrown is a fault of the tool or the host, logged with its stack as well as shown.
 */
export class UserError extends Error {
  override name = 'UserError';
}
