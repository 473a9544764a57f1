import { GeokdError } from '@geokd/errors';

/** A download failed: HTTP error status, network error, or the connection kept dropping. */
export class DownloadError extends GeokdError {
  /** The URL that was requested. */
  readonly url: string;
  /** The HTTP status, when the server answered with an error status. */
  readonly status: number | undefined;

  constructor(url: string, problem: string, options: { status?: number; cause?: unknown } = {}) {
    super(`download of ${url} failed: ${problem}`, {
      code: 'download-failed',
      cause: options.cause,
    });
    this.url = url;
    this.status = options.status;
  }
}
