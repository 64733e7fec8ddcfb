/** The shape every `tokenskip <command>` module exports. */
export interface Command {
  name: string;
  /** One line for `tokenskip --help`. */
  summary: string;
  /** Full help text for `tokenskip <command> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

/** Streams a command reads and writes, injectable for tests. */
export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
