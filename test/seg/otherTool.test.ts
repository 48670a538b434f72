/** A SEG written by another tool (dcmjs's own Segmentation derivation, as OHIF's exporter uses) reads back right. */
import * as dcmjs from 'dcmjs';
import { readSeg } from '../../extension/src/seg/readSeg';
import { writePart10 } from '../../extension/src/dicom/part10';
import { ctSlice } from '../helpers/dicom';

const R = 6;
const C = 10;

it('reads frames, segments and positions of a dcmjs-made SEG over a CT stack', () => {
  const slices = [0, 2, 4].map((z, i) => {
    const ds = ctSlice(`2.25.300${i}`, z, new Int16Array(R * C).fill(1000), R, C) as any;
    // dcmjs's normalizer takes pixels as one ArrayBuffer
    return { ...ds, PixelData: ds.PixelData[0], _vrMap: { PixelData: 'OW' }, _meta: {} };
  });
  const multiframe = (dcmjs as any).normalizers.Normalizer.normalizeToDataset(slices);
  const seg = new (dcmjs as any).derivations.Segmentation([multiframe], { includeSliceSpacing: true });
  seg.setNumberOfFrames(1);
  const mask = Uint8Array.from({ length: R * C }, (_, i) => (i % C < 4 ? 1 : 0)); // on slice 2, four columns
  seg.addSegment(
    {
      SegmentLabel: 'Other tool',
      SegmentNumber: 1,
      SegmentAlgorithmType: 'MANUAL',
      SegmentedPropertyCategoryCodeSequence: { CodeValue: 'T-D0050', CodingSchemeDesignator: 'SRT', CodeMeaning: 'Tissue' },
      SegmentedPropertyTypeCodeSequence: { CodeValue: 'T-D0050', CodingSchemeDesignator: 'SRT', CodeMeaning: 'Tissue' },
      RecommendedDisplayCIELabValue: [43802, 26566, 37721],
    },
    mask,
    [2],
  );
  seg.bitPackPixelData();
  const back = readSeg(writePart10(seg.dataset));
  expect(back.segments[0]).toMatchObject({ number: 1, label: 'Other tool', algorithmType: 'MANUAL' });
  expect(back.frames).toHaveLength(1);
  expect(back.frames[0].segment).toBe(1);
  expect(back.frames[0].imagePositionPatient).toEqual([-10, -10, 2]);
  expect(Array.from(back.frames[0].mask)).toEqual(Array.from(mask));
});
