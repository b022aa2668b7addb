import type { IncomingMessage } from 'node:http';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import type { LocalApi, LocalApiRoute } from '../template/local-template';
import { GatewayRejection } from './gateway-responses';

/** API Gateway's own payload limit for REST APIs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** A route's request validator: the compiled model, and whether a body is required. */
export interface BodyValidator {
  required: boolean;
  validate: ValidateFunction;
}

/** The APIs' models, each compiled once however many routes use it. */
export class ModelValidators {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  /** The validator of a route's RequestModel; throws when the API does not define the model. */
  forModel(api: LocalApi, model: NonNullable<LocalApiRoute['model']>, functionId: string): BodyValidator {
    const key = `${api.logicalId}/${model.name}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = api.models[model.name];
      if (!schema) throw new Error(`${functionId}: model ${model.name} is not defined on ${api.logicalId}`);
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    return { required: model.required, validate };
  }
}

/** Reads the request body, refusing one over API Gateway's payload limit. */
export async function readPayload(request: IncomingMessage): Promise<Buffer | GatewayRejection> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_PAYLOAD_BYTES) return new GatewayRejection('REQUEST_TOO_LARGE', 413, 'Request Too Long');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The validate stage: a JSON body (the only content type the validator checks) must parse and
 * match the route's model. `onModelMismatch` hears of each body the model rejects.
 */
export function validateBody(validator: BodyValidator | undefined, contentTypeHeader: string | undefined, raw: Buffer, onModelMismatch: () => void): GatewayRejection | undefined {
  if (!validator) return undefined;
  const contentType = contentTypeHeader?.split(';')[0]?.trim().toLowerCase() ?? 'application/json';
  if (contentType !== 'application/json') return undefined;
  let body: unknown;
  try {
    body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
  } catch {
    return new GatewayRejection('BAD_REQUEST_BODY', 400, 'Invalid request body');
  }
  if ((body === undefined && validator.required) || (body !== undefined && !validator.validate(body))) {
    onModelMismatch();
    return new GatewayRejection('BAD_REQUEST_BODY', 400, 'Invalid request body');
  }
  return undefined;
}
