/**
 * "Fed as displayed", exactly: the grey levels the tool gives the model for a viewport's window are those
 * Cornerstone3D 5.6.8 (the host's version) draws for the same voiRange and VOI function, computed by Cornerstone's
 * own code (its toWindowLevel and its linear and sigmoid transfer functions) in a plain Node process. Guards the
 * conversion that put 128 of 256 levels one level off for 0-255 data.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toDisplay } from '../../extension/src/core/pixels';
import { SourceImage } from '../../extension/src/core/sourceImage';
import { shownWindow } from '../../extension/src/hostAdapter';
import { CornerstoneLibraries } from '../../extension/src/ohif';
import { tempDir } from '../helpers/tempDir';

const ROOT = resolve(__dirname, '../..');

interface Case {
  name: string;
  range: { lower: number; upper: number };
  fn: 'LINEAR' | 'SIGMOID';
  values: number[];
}

const span = (from: number, to: number, step = 1) => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const CASES: Case[] = [
  { name: '8-bit data, full range', range: { lower: 0, upper: 255 }, fn: 'LINEAR', values: span(0, 255) },
  { name: '8-bit data, a window dragged to fractions', range: { lower: 37.3, upper: 201.9 }, fn: 'LINEAR', values: span(0, 255) },
  { name: 'CT, soft tissue window', range: { lower: -160, upper: 240 }, fn: 'LINEAR', values: span(-1024, 1500) },
  { name: 'a one-level window', range: { lower: 99.5, upper: 100.5 }, fn: 'LINEAR', values: span(90, 110) },
  { name: '8-bit data, sigmoid', range: { lower: 0, upper: 255 }, fn: 'SIGMOID', values: span(0, 255) },
  { name: 'CT, sigmoid', range: { lower: -160, upper: 240 }, fn: 'SIGMOID', values: span(-1024, 1500) },
];

/** Cornerstone's own window/level and grey level (0..255, rounded) for every value of every case. */
function cornerstone(cases: Case[]): { window: { windowWidth: number; windowCenter: number }; levels: number[] }[] {
  const script = join(tempDir('voi'), 'cornerstone-voi.mjs');
  const utilities = join(ROOT, 'node_modules/@cornerstonejs/core/dist/esm/utilities');
  writeFileSync(script, `
    const [{ toWindowLevel }, linear, sigmoid] = await Promise.all([
      import(${JSON.stringify(join(utilities, 'windowLevel.js'))}),
      import(${JSON.stringify(join(utilities, 'createLinearRGBTransferFunction.js'))}).then((m) => m.default),
      import(${JSON.stringify(join(utilities, 'createSigmoidRGBTransferFunction.js'))}).then((m) => m.default),
    ]);
    const cases = JSON.parse(process.argv[2]);
    const rgb = [0, 0, 0];
    console.log(JSON.stringify(cases.map((c) => {
      const tf = (c.fn === 'SIGMOID' ? sigmoid : linear)(c.range);
      return { window: toWindowLevel(c.range.lower, c.range.upper), levels: c.values.map((v) => (tf.getColor(v, rgb), Math.round(rgb[0] * 255))) };
    })));`);
  const out = execFileSync(process.execPath, [script, JSON.stringify(cases)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const drawn = cornerstone(CASES);

describe('the window as Cornerstone draws it', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_, c, i) => {
    const { window: wl, levels } = drawn[i];
    const libs = { cornerstone: { utilities: { windowLevel: { toWindowLevel: () => wl } } } } as unknown as CornerstoneLibraries;
    const image: SourceImage = {
      pixelData: Int16Array.from(c.values), rows: 1, columns: c.values.length, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16,
      pixelRepresentation: 1, photometricInterpretation: 'MONOCHROME2', voi: shownWindow(libs, c.range, c.fn),
    };
    const display = toDisplay(image).data;
    const shown = c.values.map((_, k) => display[3 * k]);
    const apart = shown.map((v, k) => Math.abs(v - levels[k]));
    // The sigmoid is drawn from 1024 sampled nodes: a level may round the other way where it falls between two.
    const tolerance = c.fn === 'SIGMOID' ? 1 : 0;
    expect(Math.max(...apart)).toBeLessThanOrEqual(tolerance);
    if (c.fn === 'LINEAR') expect(shown).toEqual(levels);
  });
});
