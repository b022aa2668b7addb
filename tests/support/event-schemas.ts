import Ajv from 'ajv-draft-04';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETAIL_TYPES, type DetailType } from '#domain/order-events';
import { ROOT } from './template';

/** events/schemas/<DetailType>.json, as text (the template inlines the same JSON). */
export function schemaText(detailType: DetailType): string {
  return readFileSync(join(ROOT, 'events', 'schemas', `${detailType}.json`), 'utf8');
}

const ajv = new Ajv({ allErrors: true, strict: true });
// RFC 3339 date-time as Date#toISOString writes it, and as EventBridge's `time` carries it.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const validators = new Map(DETAIL_TYPES.map((type) => [type, ajv.compile(JSON.parse(schemaText(type)) as object)]));

/** The event a consumer receives for a PutEvents entry (the fields the schemas describe). */
export function receivedEvent(entry: PutEventsRequestEntry): Record<string, unknown> {
  return {
    'detail-type': entry.DetailType,
    source: entry.Source,
    time: entry.Time?.toISOString(),
    detail: JSON.parse(entry.Detail ?? 'null') as unknown,
  };
}

/** The schema errors of an event against the schema its detail-type names ([] when valid). */
export function schemaErrors(event: Record<string, unknown>): string[] {
  const validate = validators.get(event['detail-type'] as DetailType);
  if (!validate) return [`no schema for detail-type ${String(event['detail-type'])}`];
  return validate(event) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${String(error.message)}`);
}
