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

/** What the request names does not exist (404): an unknown replica, a task or container Docker does not know. */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message);
  }
}

/** The request is valid but clashes with the current state (409): a replica that is not running. */
export class ConflictError extends ApiError {
  constructor(message: string) {
    super(409, message);
  }
}

/** A part Swarmscope depends on did not answer in time (503): the Docker engine, say. */
export class UnavailableError extends ApiError {
  constructor(message: string) {
    super(503, message);
  }
}
