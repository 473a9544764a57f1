import type { FileChecksum } from './dataset-sources';
import type { DownloadProgress } from './download-file';

/** Options shared by the file-based loaders (MNIST, Fashion-MNIST, CIFAR). */
export interface DatasetFileOptions {
  /** A folder already holding the files (read as is, never downloaded into). @default undefined */
  dataDir?: string;
  /** Cache folder for downloads. @default the GEOKD_CACHE_DIR environment variable, else ~/.cache/geokd */
  cacheDir?: string;
  /** Base URL of a mirror (the file name is appended). @default the official URL */
  baseUrl?: string;
  /** Download missing files; false throws when a file is missing. @default true */
  download?: boolean;
  /**
   * Checksums by file name, replacing the published ones (for mirrors holding other files);
   * `null` = no checksum: the download is then checked only for its announced size and, for
   * gzip files, complete decompression, and recorded (size, SHA-256) so that later changes in
   * the cache are detected. @default the published checksums
   */
  checksums?: Record<string, FileChecksum | null>;
  /** Called as bytes arrive. @default undefined */
  onProgress?: (progress: DownloadProgress) => void;
  /** Receives warnings (e.g. a file without a known checksum). @default console.warn */
  onWarning?: (message: string) => void;
  /** Further attempts after a dropped connection. @default 3 */
  retries?: number;
}
