import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetBase, AssetPlace } from '../../extension/src/assets';

const page = 'https://pacs.example.org/viewer/cmunext?StudyInstanceUIDs=1.2.3';

describe('assetBase: where the worker and models are served from', () => {
  it.each<[string, AssetPlace, string]>([
    ['bundle loaded by URL: beside it', { moduleUrl: 'https://pacs.example.org/cmunext/cmunext-extension.js', pageUrl: page }, 'https://pacs.example.org/cmunext/'],
    ['bundle loaded by URL, http', { moduleUrl: 'http://127.0.0.1:3000/ext/x/cmunext-extension.js', pageUrl: page, publicUrl: '/' }, 'http://127.0.0.1:3000/ext/x/'],
    ['source build (file: URL), PUBLIC_URL /', { moduleUrl: 'file:///build/node_modules/ohif-extension-cmunext/dist/cmunext/cmunext-extension.js', pageUrl: page, publicUrl: '/' }, 'https://pacs.example.org/cmunext/'],
    ['source build under a sub-path', { moduleUrl: 'file:///b/x.js', pageUrl: page, publicUrl: '/viewer/' }, 'https://pacs.example.org/viewer/cmunext/'],
    ['source build, PUBLIC_URL without trailing slash', { moduleUrl: 'file:///b/x.js', pageUrl: page, publicUrl: '/viewer' }, 'https://pacs.example.org/viewer/cmunext/'],
    ['source build, no PUBLIC_URL', { moduleUrl: 'file:///b/x.js', pageUrl: page }, 'https://pacs.example.org/cmunext/'],
    ['configured absolute path wins', { moduleUrl: 'https://cdn.example.org/a/x.js', pageUrl: page, configured: '/static/cmunext' }, 'https://pacs.example.org/static/cmunext/'],
    ['configured full URL wins', { moduleUrl: 'file:///b/x.js', pageUrl: page, configured: 'https://cdn.example.org/cmunext/' }, 'https://cdn.example.org/cmunext/'],
  ])('%s', (_, place, expected) => {
    expect(assetBase(place)).toBe(expected);
  });

  it('the default model resolves to /models/<id>/ in both layouts', () => {
    const id = JSON.parse(readFileSync(join(__dirname, '../../extension/package.json'), 'utf8')).cmunext.defaultModel;
    for (const moduleUrl of ['https://pacs.example.org/cmunext/cmunext-extension.js', 'file:///b/x.js']) {
      expect(new URL(`../models/${id}/`, assetBase({ moduleUrl, pageUrl: page, publicUrl: '/' })).href).toBe(`https://pacs.example.org/models/${id}/`);
    }
  });
});

describe('the OHIF packages', () => {
  const read = (p: string) => JSON.parse(readFileSync(join(__dirname, '../..', p), 'utf8'));
  const root = read('package.json');
  it.each([
    ['extension/package.json', 'ohif-extension'],
    ['modes/package.json', 'ohif-mode'],
  ])('%s carries the keyword OHIF\'s CLI checks (%s) and the project version', (file, keyword) => {
    const pkg = read(file);
    expect(pkg.keywords).toContain(keyword);
    expect(pkg.version).toBe(root.version);
    expect(pkg.module).toMatch(/^dist\/cmunext\/cmunext-(extension|mode)\.js$/);
  });
});
