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
