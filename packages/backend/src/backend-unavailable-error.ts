import { GeokdError } from '@geokd/errors';

/** A backend that was asked for explicitly (option or `GEOKD_BACKEND`) could not be loaded. */
export class BackendUnavailableError extends GeokdError {
  /** The backend that failed: `'tensorflow'`, `'wasm'` or `'cpu'`. */
  readonly backendName: string;

  constructor(backendName: string, reason: string, cause?: unknown) {
    super(
      `initBackend: backend '${backendName}' was requested but could not be loaded: ${reason}`,
      {
        code: 'backend-unavailable',
        cause,
      },
    );
    this.backendName = backendName;
  }
}
