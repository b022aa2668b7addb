import type { LocalApi } from '../template/local-template';

/** The gateway response types (API Gateway's names) the local gateway can answer with. */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
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
    /** A body other than `{"message": …}`. */
    readonly body?: unknown,
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

/** The response API Gateway sends for a rejection; `api` is undefined when the stage is unknown. */
export function gatewayResponse(api: LocalApi | undefined, rejection: GatewayRejection): GatewayReply {
  const corsHeaders: Record<string, string> = api?.cors ? { 'Access-Control-Allow-Origin': api.cors.allowOrigin } : {};
  return {
    statusCode: rejection.statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorTypeFor(rejection.statusCode), ...corsHeaders },
    body: JSON.stringify(rejection.body ?? { message: rejection.message }),
  };
}
