/**
 * Helpers shared by the tests (not exported from the package): hand-built IDX and CIFAR files
 * and a bounded local HTTP server on 127.0.0.1.
 * @internal
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Builds an IDX file by hand: 00 00 dtype rank, big-endian dims, big-endian values. */
export function buildIdx(
  dtypeCode: number,
  shape: number[],
  values: number[],
  bytesPerValue = 1,
): Uint8Array {
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + values.length * bytesPerValue);
  const view = new DataView(out.buffer);
  out[2] = dtypeCode;
  out[3] = shape.length;
  shape.forEach((dim, d) => {
    view.setUint32(4 + 4 * d, dim, false);
  });
  values.forEach((v, i) => {
    if (dtypeCode === 0x08) view.setUint8(header + i, v);
    else if (dtypeCode === 0x0c) view.setInt32(header + 4 * i, v, false);
    else if (dtypeCode === 0x0d) view.setFloat32(header + 4 * i, v, false);
  });
  return out;
}

/** One CIFAR record: label byte(s), then 1024 red, 1024 green, 1024 blue bytes. */
export function cifarRecord(
  labels: number[],
  pixel: (p: number, channel: number) => number,
): Uint8Array {
  const out = new Uint8Array(labels.length + 3072);
  out.set(labels, 0);
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < 1024; p++) out[labels.length + c * 1024 + p] = pixel(p, c);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Behaviour of the test server for one path. */
export interface ServedFile {
  body: Uint8Array;
  /** Status to answer instead of the file. */
  status?: number;
  /** Cut the connection after this many bytes on the first N requests. */
  cutAfter?: number;
  cutTimes?: number;
  /** Ignore Range headers. */
  noRanges?: boolean;
  /** Send no Content-Length (chunked) and, with `cutAfter`, end the response cleanly there. */
  noContentLength?: boolean;
  /** Answer a Range request with 206 but lie: `'restart'` sends the whole body with
   * `Content-Range: bytes 0-…`; `'body'` sends the right Content-Range over the whole body. */
  rangeLie?: 'restart' | 'body';
  /** Flip one bit of the byte at this offset of the file on the first `flipTimes` (1) responses. */
  flipByteAt?: number;
  flipTimes?: number;
  /** Send this many bytes, then nothing more (without closing) on the first `stallTimes` (1). */
  stallAfter?: number;
  stallTimes?: number;
  /** ETag sent with the file; an `If-Range` that differs gets the whole file (200). */
  etag?: string;
}

/** A local HTTP server serving `files` by path, with Range support; records requests. */
export async function startFileServer(files: Record<string, ServedFile>): Promise<{
  baseUrl: string;
  requests: { path: string; range: string | undefined }[];
  close: () => Promise<void>;
}> {
  const requests: { path: string; range: string | undefined }[] = [];
  const counters = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').slice(1);
    const range = req.headers.range;
    requests.push({ path, range });
    const file = files[path];
    if (file === undefined) {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    if (file.status !== undefined) {
      res.writeHead(file.status).end();
      return;
    }
    let start = 0;
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    const ifRange = req.headers['if-range'];
    const rangeValid = ifRange === undefined || file.etag === undefined || ifRange === file.etag;
    if (match !== null && file.noRanges !== true && rangeValid) start = Number(match[1]);
    const count = (key: string): number => {
      const done = counters.get(`${key}:${path}`) ?? 0;
      counters.set(`${key}:${path}`, done + 1);
      return done;
    };
    let body = file.body;
    if (file.flipByteAt !== undefined && count('flip') < (file.flipTimes ?? 1)) {
      body = Uint8Array.from(body);
      body[file.flipByteAt] = (body[file.flipByteAt] as number) ^ 0x10;
    }
    const lie = start > 0 ? file.rangeLie : undefined;
    const sent = lie === undefined ? body.subarray(start) : body;
    const contentRange =
      lie === 'restart'
        ? `bytes 0-${file.body.length - 1}/${file.body.length}`
        : `bytes ${start}-${file.body.length - 1}/${file.body.length}`;
    res.writeHead(start > 0 ? 206 : 200, {
      ...(file.noContentLength === true ? {} : { 'Content-Length': String(sent.length) }),
      ...(start > 0 ? { 'Content-Range': contentRange } : {}),
      ...(file.etag === undefined ? {} : { ETag: file.etag }),
    });
    if (file.stallAfter !== undefined && count('stall') < (file.stallTimes ?? 1)) {
      res.write(sent.subarray(0, file.stallAfter));
      return;
    }
    if (file.cutAfter !== undefined && count('cut') < (file.cutTimes ?? 1)) {
      if (file.noContentLength === true) res.end(sent.subarray(0, file.cutAfter));
      else res.write(sent.subarray(0, file.cutAfter), () => res.destroy());
      return;
    }
    res.end(sent);
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
