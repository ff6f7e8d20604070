/** The shape of one `nir` subcommand: one file per command under `cli/commands/`. */
export interface Command {
  /** One line for `nir --help`. */
  summary: string;
  /** Full usage text for `nir <command> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}
