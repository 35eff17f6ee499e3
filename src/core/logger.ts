/**
 * The slice of a pino logger (Probot) or @actions/core that the handlers and the GitHub side write
 * to. In src/core/ because both layers use it and src/github/ may not import src/handlers/.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
