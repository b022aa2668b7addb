import type { LocalApi } from '../template/local-template';

/** The gateway response types (API Gateway's names) the local gateway can answer with. */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'INVALID_SIGNATURE'
  | 'ACCESS_DENIED'
  | 'UNAUTHORIZED'
  | 'INVALID_API_KEY'
  | 'THROTTLED'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'BAD_REQUEST_BODY'
  | 'INTEGRATION_TIMEOUT'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

/** A stage's refusal: API Gateway answers it itself and the function never runs. */
export class GatewayRejection {
  constructor(
    readonly type: GatewayResponseType,
    readonly statusCode: number,
    readonly message: string,
    /** x-amzn-ErrorType; by default the status code's. */
    readonly errorType?: string,
    /** The body's key: AccessDeniedException says `Message`, the others `message`. */
    readonly field: 'message' | 'Message' = 'message',
  ) {}
}

/** One HTTP response, as the gateway sends it (the request id header is added on the way out). */
export interface GatewayReply {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string;
}

function errorTypeFor(statusCode: number): string {
  return { 403: 'ForbiddenException', 429: 'TooManyRequestsException', 413: 'RequestTooLongException', 502: 'InternalServerErrorException', 504: 'IntegrationTimeout' }[statusCode] ?? 'BadRequestException';
}

/** `$context.error.messageString` (the message as a JSON string) and `$context.error.message`, the variables gateway response templates use. */
function render(template: string, message: string): string {
  return template.replaceAll('$context.error.messageString', JSON.stringify(message)).replaceAll('$context.error.message', message);
}

/**
 * The response API Gateway sends for a rejection: the template's GatewayResponses entry for its type,
 * or else its DEFAULT_4XX / DEFAULT_5XX, sets the status code, headers and JSON body; with neither, the
 * body is `{"message": …}`. `api` is undefined when the stage is unknown.
 */
export function gatewayResponse(api: LocalApi | undefined, rejection: GatewayRejection): GatewayReply {
  const { statusCode, message, field } = rejection;
  const responses = api?.gatewayResponses ?? {};
  const configured = responses[rejection.type] ?? responses[statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const headers = { 'Content-Type': 'application/json', 'x-amzn-ErrorType': rejection.errorType ?? errorTypeFor(statusCode) };
  if (!configured) {
    // The local gateway has always added the API's CORS origin here; AWS adds none without a gateway response.
    const corsHeaders: Record<string, string> = api?.cors ? { 'Access-Control-Allow-Origin': api.cors.allowOrigin } : {};
    return { statusCode, headers: { ...headers, ...corsHeaders }, body: JSON.stringify({ [field]: message }) };
  }
  const template = configured.templates['application/json'];
  return {
    statusCode: configured.statusCode ?? statusCode,
    headers: { ...headers, ...configured.headers },
    body: template === undefined ? JSON.stringify({ [field]: message }) : render(template, message),
  };
}
