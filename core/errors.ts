// The one error base. Every failure a user can cause or fix (bad input, a setting, a locked
// store, a refused connection) is a StartrailError: a stable `code` a caller or test can branch
// on, the message a person reads, and the `cause` it came from. The CLIs print these as one line
// and exit non-zero; anything else is a bug and prints its stack (core/cli/run.ts).
export class StartrailError extends Error {
  constructor(
    /** Stable, upper-case, for programs: e.g. 'SETTING', 'STORE_LOCKED', 'GZIP'. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The base of an error class whose code never varies: `class ExportError extends
 * errorClass('EXPORT') {}` is constructed as `new ExportError(message, { cause })`.
 */
export function errorClass(code: string) {
  return class extends StartrailError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

/**
 * A setting (environment variable or flag) with a value that cannot be used; `setting` names it.
 * The CLIs exit 2 for it, as for a bad flag: the command was called wrongly.
 */
export class SettingError extends StartrailError {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super('SETTING', `${setting}: ${problem}`);
  }
}
