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
}

/** A local HTTP server serving `files` by path, with Range support; records requests. */
export async function startFileServer(files: Record<string, ServedFile>): Promise<{
  baseUrl: string;
  requests: { path: string; range: string | undefined }[];
  close: () => Promise<void>;
}> {
  const requests: { path: string; range: string | undefined }[] = [];
  const cuts = new Map<string, number>();
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
    if (match !== null && file.noRanges !== true) start = Number(match[1]);
    const body = file.body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'Content-Length': String(body.length),
      ...(start > 0
        ? { 'Content-Range': `bytes ${start}-${file.body.length - 1}/${file.body.length}` }
        : {}),
    });
    const done = cuts.get(path) ?? 0;
    if (file.cutAfter !== undefined && done < (file.cutTimes ?? 1)) {
      cuts.set(path, done + 1);
      res.write(body.subarray(0, file.cutAfter), () => res.destroy());
      return;
    }
    res.end(body);
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
