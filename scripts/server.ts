/**
 * One origin for the viewer, the extension bundles, the models and the PACS: static files plus a DICOMweb proxy,
 * all with cross-origin isolation headers (threaded wasm needs them; the PACS sends no CORS headers).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, Server, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { PROXY_ROOT, proxyDicomweb } from './dicomwebProxy';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.onnx': 'application/octet-stream',
};

export interface ServerOptions {
  /** The prebuilt OHIF dist folder. */
  viewerDir: string;
  /** URL path prefix -> folders, searched in order (see projectMounts). */
  mounts: Record<string, string[]>;
  /** Served at /app-config.js instead of the viewer's own. */
  appConfig: string;
  /** DICOMweb root of the PACS, proxied at /dicom-web. */
  dicomweb: string;
  port: number;
  host?: string;
}

function isolate(res: ServerResponse): void {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendFile(res: ServerResponse, root: string, relative: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(relative);
  } catch {
    return false; // a malformed %-escape names no file (and must not take the server down)
  }
  const path = normalize(join(root, name));
  if (path !== root && !path.startsWith(root + sep)) return false;
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) return false;
  res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(path).pipe(res);
  return true;
}

export function startServer(o: ServerOptions): Promise<Server> {
  const dicomweb = new URL(o.dicomweb.replace(/\/$/, ''));
  const server = createServer((req, res) => {
    isolate(res);
    // The proxy judges the path as sent: URL parsing would already have resolved dot segments.
    const [rawPath, ...query] = (req.url ?? '/').split('?');
    if (rawPath === PROXY_ROOT || rawPath.startsWith(`${PROXY_ROOT}/`)) {
      proxyDicomweb(req, res, dicomweb, rawPath.slice(PROXY_ROOT.length), query.length ? `?${query.join('?')}` : '');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/app-config.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-cache' });
      res.end(o.appConfig);
      return;
    }
    for (const [prefix, folders] of Object.entries(o.mounts)) {
      if (url.pathname.startsWith(prefix)) {
        if (!folders.some((f) => sendFile(res, f, url.pathname.slice(prefix.length)))) res.writeHead(404).end('not found');
        return;
      }
    }
    // The viewer is a single-page app: unknown paths are its routes.
    if (!sendFile(res, o.viewerDir, url.pathname) && !sendFile(res, o.viewerDir, 'index.html')) res.writeHead(404).end('not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve(server));
  });
}

/**
 * This project's files as a deployment serves them: both packages' dist/cmunext/ at /cmunext/ (what OHIF's source
 * build makes of them too) and the models at /models/.
 */
export function projectMounts(root: string): Record<string, string[]> {
  return {
    '/cmunext/': [join(root, 'extension/dist/cmunext'), join(root, 'modes/dist/cmunext')],
    '/models/': [join(root, 'models')],
  };
}

/** The bundles' URLs under projectMounts. */
export const EXTENSION_MODULES = { extensions: ['/cmunext/cmunext-extension.js'], modes: ['/cmunext/cmunext-mode.js'] };

/** app-config.js for the prebuilt viewer: the same-origin PACS, this project's extension and mode, and its `cmunext` settings if given. */
export function appConfig(extraModules: { extensions: string[]; modes: string[] }, cmunext?: Record<string, unknown>): string {
  const config = {
    ...(cmunext && { cmunext }),
    routerBasename: '/',
    extensions: extraModules.extensions,
    modes: extraModules.modes,
    showStudyList: true,
    maxNumberOfWebWorkers: 2,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: true,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    defaultDataSourceName: 'pacs',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: 'pacs',
        configuration: {
          friendlyName: 'PACS',
          name: 'pacs',
          wadoUriRoot: '/dicom-web',
          qidoRoot: '/dicom-web',
          wadoRoot: '/dicom-web',
          qidoSupportsIncludeField: false,
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          staticWado: false,
          singlepart: 'bulkdata,video',
          bulkDataURI: { enabled: true, relativeResolution: 'studies' },
          omitQuotationForMultipartRequest: true,
        },
      },
    ],
  };
  return `window.config = ${JSON.stringify(config, null, 2)};\n`;
}
