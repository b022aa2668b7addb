/** The last value of a header sent more than once, as API Gateway reads it. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.at(-1) : value;
}
