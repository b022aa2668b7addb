/** The last value of a header sent more than once, as API Gateway reads it. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.at(-1) : value;
}

/**
 * A request's headers as API Gateway reads them, once for every stage: `headers` holds the last
 * value of each header and `multiValueHeaders` every value, names compared without case (under
 * the first spelling the client used). Node keeps the first of some duplicates (Content-Type) and
 * joins others (x-api-key), so reading `request.headers` in one stage and the raw headers in
 * another let a request with two Content-Types pass validation as text and reach the function as JSON.
 */
export class RequestHeaders {
  readonly headers: Record<string, string> = {};
  readonly multiValueHeaders: Record<string, string[]> = {};
  private readonly spelling = new Map<string, string>();

  constructor(rawHeaders: readonly string[]) {
    for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
      const name = rawHeaders[index] ?? '';
      const value = rawHeaders[index + 1] ?? '';
      const lower = name.toLowerCase();
      const key = this.spelling.get(lower) ?? name;
      this.spelling.set(lower, key);
      this.headers[key] = value;
      (this.multiValueHeaders[key] ??= []).push(value);
    }
  }

  /** The last value of a header, by name in any case. */
  get(name: string): string | undefined {
    const key = this.spelling.get(name.toLowerCase());
    return key === undefined ? undefined : this.headers[key];
  }
}
