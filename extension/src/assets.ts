/**
 * Where the worker, onnxruntime's files and the models are served from.
 *
 * A viewer that loads the bundle by URL (app-config `extensions`) runs it from its own http(s) address, and they are
 * beside it. A source build bundles the package instead: its bundler turns `import.meta.url` into a file: URL of the
 * build machine, and OHIF's build copies the package's dist/ and public/ into the app's root, so they are under the
 * app's public URL. app-config `cmunext.assetsUrl` overrides both.
 */
export interface AssetPlace {
  /** `import.meta.url` as the running bundle sees it. */
  moduleUrl: string;
  /** The page's URL, which relative settings are resolved against. */
  pageUrl: string;
  /** OHIF's `window.PUBLIC_URL`. */
  publicUrl?: string;
  /** app-config `cmunext.assetsUrl`. */
  configured?: string;
}

const folder = (url: string) => url.replace(/\/?$/, '/');

/** The URL of the folder holding cmunext-worker.js (models are in ../models/ from there). */
export function assetBase(p: AssetPlace): string {
  if (p.configured) return new URL(folder(p.configured), p.pageUrl).href;
  if (/^https?:/.test(p.moduleUrl)) return p.moduleUrl.replace(/[^/]*$/, '');
  return new URL(`${folder(p.publicUrl ?? '/')}cmunext/`, p.pageUrl).href;
}
