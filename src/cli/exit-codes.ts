/** Documented exit codes (UX.md, behaviour 15). */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  timedOut: 3,
  noPermission: 4,
  jobFailed: 5,
  /** Another process writes as this identity (it holds the writer role): stop it or wait. */
  identityInUse: 6,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports as one line on stderr with a chosen exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode = ExitCode.error,
  ) {
    super(message);
    this.name = "CliError";
  }
}
