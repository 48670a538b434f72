/** How a transfer syntax stores Pixel Data: the family of decoder a reader needs. */
export type PixelEncoding =
  | 'native'
  | 'big-endian'
  | 'deflate'
  | 'rle'
  | 'jpeg'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg2000'
  | 'htj2k'
  | 'video';

export interface TransferSyntax {
  name: string;
  encoding: PixelEncoding;
}

/** The transfer syntaxes PACSs hold images in (PS3.6 Annex A), by UID. */
export const TRANSFER_SYNTAXES: Readonly<Record<string, TransferSyntax>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'deflate' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'big-endian' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless (Process 14, Selection Value 1)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.4.201': { name: 'HTJ2K Lossless', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.202': { name: 'HTJ2K Lossless RPCL', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.203': { name: 'HTJ2K', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG-2 Main Profile video', encoding: 'video' },
  '1.2.840.10008.1.2.4.101': { name: 'MPEG-2 High Profile video', encoding: 'video' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 video', encoding: 'video' },
  '1.2.840.10008.1.2.4.103': { name: 'MPEG-4 AVC/H.264 BD-compatible video', encoding: 'video' },
  '1.2.840.10008.1.2.4.104': { name: 'MPEG-4 AVC/H.264 2D video', encoding: 'video' },
  '1.2.840.10008.1.2.4.105': { name: 'MPEG-4 AVC/H.264 3D video', encoding: 'video' },
  '1.2.840.10008.1.2.4.106': { name: 'MPEG-4 AVC/H.264 Stereo video', encoding: 'video' },
  '1.2.840.10008.1.2.4.107': { name: 'HEVC/H.265 Main Profile video', encoding: 'video' },
  '1.2.840.10008.1.2.4.108': { name: 'HEVC/H.265 Main 10 Profile video', encoding: 'video' },
};

/** "JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50)", or the UID alone when it is not one of the table's. */
export function transferSyntaxName(uid: string): string {
  const known = TRANSFER_SYNTAXES[uid];
  return known ? `${known.name} (${uid})` : `transfer syntax ${uid || 'not given'}`;
}
