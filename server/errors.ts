/** An error with the HTTP status it should become at the edge, and a message a user can act on. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Route handlers are bundled by Next.js apart from the custom server's modules, so an ApiError
 * thrown by the service layer is not `instanceof` the route bundle's class: recognise it by shape.
 */
export function isApiError(err: unknown): err is ApiError {
  return err instanceof Error && err.name === "ApiError" && typeof (err as ApiError).status === "number";
}
