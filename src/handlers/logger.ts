/** The slice of a pino logger (Probot) or @actions/core the handlers write to. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
