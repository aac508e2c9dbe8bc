import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { freePort } from './net.js';

export interface RunningS3 {
  endpoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
  region: string;
  stop(): Promise<void>;
}

// s3rver is CommonJS and ships no types.
const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (opts: Record<string, unknown>) => {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
};

const EMPTY_UPLOADS = (bucket: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket>` +
  '<KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads>' +
  '<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>';

/**
 * A local S3-compatible server (s3rver) for tests and the local stack. The minio client lists
 * incomplete multipart uploads before a multipart put, which s3rver answers with NotImplemented,
 * so a thin shim answers `GET /<bucket>?uploads` with an empty list and passes the rest through.
 */
export async function startS3Server(opts: { directory: string; port?: number }): Promise<RunningS3> {
  mkdirSync(opts.directory, { recursive: true });
  const port = opts.port ?? (await freePort());
  const s3 = new S3rver({ directory: opts.directory, silent: true, address: '127.0.0.1', port, vhostBuckets: false });
  const handle = s3.callback();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const bucket = url.pathname.split('/')[1] ?? '';
    if (req.method === 'GET' && url.searchParams.has('uploads') && bucket && url.pathname.split('/').length === 2) {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(EMPTY_UPLOADS(bucket));
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region: 'us-east-1',
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
