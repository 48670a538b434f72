import { InferenceError, messageOf, serializeError } from '../../extension/src/runtime/errors';

const circular: Record<string, unknown> = {};
circular.self = circular;

describe('messageOf: what a thrown value says', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new TypeError('bad input'), 'bad input'],
    ['an Error with no message', new RangeError(), 'RangeError'],
    ['a string', 'no adapter found', 'no adapter found'],
    ['an empty string', '', 'an empty error'],
    ['an Error from another realm (a plain object)', { name: 'Error', message: 'out of memory' }, 'out of memory'],
    ['a number (a wasm abort code)', 12345, '12345'],
    ['an object without a message', { code: 7 }, '{"code":7}'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a circular object', circular, '[object Object]'],
  ])('%s', (_, thrown, expected) => {
    expect(messageOf(thrown)).toBe(expected);
  });
});

describe('serializeError', () => {
  it('keeps an InferenceError code and message', () => {
    expect(serializeError(new InferenceError('BAD_INPUT', 'no pixels'), 'INFERENCE_FAILED')).toEqual({ code: 'BAD_INPUT', message: 'no pixels' });
  });
  it('gives anything else the fallback code and its message', () => {
    expect(serializeError({ message: 'webgpu device lost' }, 'INFERENCE_FAILED')).toEqual({ code: 'INFERENCE_FAILED', message: 'webgpu device lost' });
  });
});
