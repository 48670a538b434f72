import { join } from 'node:path';
import { readImageFile } from '../../cli/imageFile';
import { openModel } from '../../cli/nodeModel';
import { ImageModel, openModelThread } from '../../cli/modelThread';
import { InferenceError } from '../../extension/src/runtime/errors';
import { segmentImage } from '../../extension/src/runtime/segmenter';

const ROOT = join(__dirname, '../..');
const MODEL = join(ROOT, 'models/cmunext-s-busi');
const IMAGES = join(ROOT, 'test/fixtures/busi/images256');

describe('the model on a thread of its own (cmunext batch)', () => {
  let model: ImageModel;
  beforeAll(async () => {
    model = await openModelThread(MODEL, 'native');
  });
  afterAll(() => model?.close());

  it('gives the masks the model gives in-process, for images queued together, each to its own caller', async () => {
    const session = await openModel(MODEL, 'native');
    const images = await Promise.all(['benign (10).png', 'benign (100).png', 'malignant (1).png'].map((f) => readImageFile(join(IMAGES, f))));
    const threaded = await Promise.all(images.map((image) => model.segment(image, 0.5)));
    for (const [i, image] of images.entries()) {
      const inProcess = await segmentImage(session, image, 0.5);
      expect(threaded[i].mask).toEqual(inProcess.mask);
      expect(threaded[i].ms).toBeGreaterThan(0);
    }
    expect(images.map((im, i) => threaded[i].mask.length === im.rows * im.columns)).toEqual([true, true, true]);
    expect(model.manifest.id).toBe('cmunext-s-busi');
    expect(model.backend).toBe('cpu');
    await session.release();
  });

  it('sends back what the model refuses as the same error, and goes on after it', async () => {
    const image = await readImageFile(join(IMAGES, 'benign (10).png'));
    const refused = await model.segment(image, 1.5).catch((e) => e);
    expect(refused).toBeInstanceOf(InferenceError);
    expect(refused).toMatchObject({ code: 'BAD_INPUT', message: 'threshold must be between 0 and 1 (exclusive), got 1.5' });
    expect((await model.segment(image, 0.5)).mask.length).toBe(image.rows * image.columns);
  });

  it('names a model folder it cannot open', async () => {
    await expect(openModelThread(join(ROOT, 'models/no-such-model'), 'native')).rejects.toThrow(/no-such-model/);
  });
});
