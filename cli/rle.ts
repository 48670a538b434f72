/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte plane,
 * most significant byte first, sample by sample. Decoded into little-endian, colour-by-pixel bytes.
 */
export function decodeRle(frame: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number): Uint8Array {
  const bytesPerSample = bitsAllocated / 8;
  const planes = samplesPerPixel * bytesPerSample;
  const pixels = rows * columns;
  if (frame.length < 64) throw new Error(`RLE frame of ${frame.length} bytes is shorter than its 64-byte header`);
  const header = new DataView(frame.buffer, frame.byteOffset, 64);
  const segments = header.getUint32(0, true);
  if (segments !== planes) throw new Error(`RLE frame holds ${segments} segment(s); ${samplesPerPixel} sample(s) of ${bitsAllocated} bits need ${planes}`);
  const out = new Uint8Array(pixels * planes);
  for (let s = 0; s < segments; s++) {
    const start = header.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? header.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end < start || end > frame.length) throw new Error(`RLE segment ${s + 1} lies outside the frame (offset ${start} to ${end} of ${frame.length})`);
    const sample = Math.floor(s / bytesPerSample);
    // Segments run from the most significant byte; little-endian output puts that byte last.
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    unpackBits(frame.subarray(start, end), out, sample * bytesPerSample + byte, planes, pixels, s + 1);
  }
  return out;
}

/** PackBits into every `stride`-th byte of `out` from `offset`; exactly `count` bytes, or the segment is damaged. */
function unpackBits(src: Uint8Array, out: Uint8Array, offset: number, stride: number, count: number, segment: number): void {
  let i = 0;
  let n = 0;
  while (n < count && i < src.length) {
    const header = src[i++];
    if (header < 128) {
      const literal = header + 1;
      if (i + literal > src.length || n + literal > count) break;
      for (let k = 0; k < literal; k++) out[offset + stride * n++] = src[i++];
    } else if (header > 128) {
      const run = 257 - header;
      if (i >= src.length || n + run > count) break;
      const value = src[i++];
      for (let k = 0; k < run; k++) out[offset + stride * n++] = value;
    }
    // 128 is a no-op by the standard.
  }
  if (n !== count) throw new Error(`RLE segment ${segment} decodes to ${n} bytes where the image needs ${count}`);
}
