// Errors thrown by route handlers and state changes; the server turns them into GitHub-shaped error bodies.

export interface ValidationErrorDetail {
  resource: string;
  code: string;
  field?: string;
  message?: string;
  value?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: ValidationErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const docs = "https://docs.github.com/rest";
    return {
      message: this.message,
      ...(this.errors ? { errors: this.errors } : {}),
      documentation_url: docs,
      status: String(this.status),
    };
  }
}

export const notFound = () => new ApiError(404, "Not Found");

export function validationFailed(...errors: ValidationErrorDetail[]): ApiError {
  return new ApiError(422, "Validation Failed", errors);
}
