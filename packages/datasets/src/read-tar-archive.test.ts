import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from './dataset-format-error';
import { readTarArchive } from './read-tar-archive';

async function tar(
  entries: { name: string; content?: string; type?: 'file' | 'symlink'; linkname?: string }[],
): Promise<Uint8Array> {
  const pack = tarStream.pack();
  for (const entry of entries) {
    if (entry.type === 'symlink') {
      pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname ?? '' });
    } else {
      pack.entry({ name: entry.name }, entry.content ?? '');
    }
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Crafted archives: what a damaged download or a hostile mirror could hand the CIFAR loaders. */
describe('readTarArchive on crafted archives', () => {
  it('reads regular files only: a symbolic link member (e.g. to /etc/passwd) is skipped', async () => {
    const bytes = await tar([
      { name: 'a/data_batch_1.bin', content: 'abc' },
      { name: 'a/data_batch_2.bin', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    const files = await readTarArchive(gzipSync(bytes));
    expect([...files.keys()]).toEqual(['a/data_batch_1.bin']);
    expect(new TextDecoder().decode(files.get('a/data_batch_1.bin'))).toBe('abc');
  });

  it('keeps member names as data: a ../ name is never a path on disk', async () => {
    const files = await readTarArchive(await tar([{ name: '../../escape.bin', content: 'x' }]));
    expect([...files.keys()]).toEqual(['../../escape.bin']);
  });

  it('names the file for a truncated archive, a truncated gzip stream and garbage', async () => {
    const bytes = await tar([{ name: 'a.bin', content: 'y'.repeat(5000) }]);
    await expect(readTarArchive(bytes.subarray(0, 2000), { fileName: 'cut.tar' })).rejects.toThrow(
      DatasetFormatError,
    );
    await expect(readTarArchive(bytes.subarray(0, 2000), { fileName: 'cut.tar' })).rejects.toThrow(
      'cut.tar: corrupt tar archive',
    );
    const gz = gzipSync(bytes);
    await expect(
      readTarArchive(gz.subarray(0, gz.length - 10), { fileName: 'cut.tar.gz' }),
    ).rejects.toThrow('cut.tar.gz: corrupt gzip data');
    await expect(
      readTarArchive(new Uint8Array(1024).fill(0x41), { fileName: 'junk.tar' }),
    ).rejects.toThrow('junk.tar: corrupt tar archive');
  });

  it('rejects a member whose header claims more bytes than the archive holds, without hanging', async () => {
    const bytes = await tar([{ name: 'a.bin', content: 'z'.repeat(600) }]);
    const forged = Uint8Array.from(bytes);
    // Size field (octal, offset 124, 12 bytes): claim 8 GiB, then fix the header checksum.
    const size = `${(8 * 1024 ** 3).toString(8).padStart(11, '0')}\0`;
    for (let i = 0; i < 12; i++) forged[124 + i] = size.charCodeAt(i);
    for (let i = 148; i < 156; i++) forged[i] = 0x20;
    const sum = forged.subarray(0, 512).reduce((a, b) => a + b, 0);
    const field = `${sum.toString(8).padStart(6, '0')}\0 `;
    for (let i = 0; i < 8; i++) forged[148 + i] = field.charCodeAt(i);
    await expect(readTarArchive(forged, { fileName: 'forged.tar' })).rejects.toThrow(
      'forged.tar: corrupt tar archive',
    );
  });
});
