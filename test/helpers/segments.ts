import { SegmentDescription } from '../../extension/src/seg/types';

/** A reader's lesion segment, the codes the shipped models also use. */
export const MANUAL_LESION: SegmentDescription = {
  number: 1,
  label: 'Lesion',
  color: [230, 80, 60],
  algorithmType: 'MANUAL',
  category: { scheme: 'SCT', code: '49755003', meaning: 'Morphologically abnormal structure' },
  type: { scheme: 'SCT', code: '52988006', meaning: 'Lesion' },
};
