import { text } from '../../text';
import { TemplateError, resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

/** A function's `Type: DynamoDB` event: an event source mapping on a table's stream, with Lambda's defaults. */
export interface LocalStreamMapping {
  /** `<FunctionLogicalId>.<EventName>`: where its checkpoint is kept. */
  id: string;
  functionLogicalId: string;
  streamArn: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  bisectBatchOnFunctionError: boolean;
  /** -1: retry until the record expires (Lambda's default for streams). */
  maximumRetryAttempts: number;
  /** -1: no limit. */
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  /** DestinationConfig.OnFailure.Destination (an SQS queue ARN). */
  onFailure?: string;
  enabled: boolean;
  /** FilterCriteria.Filters[].Pattern, parsed: a record goes to the function if any matches. */
  filters: unknown[];
}


/** A function's `Type: SQS` event: Lambda polling a queue. */
export interface LocalQueueMapping {
  id: string;
  functionLogicalId: string;
  queueArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  enabled: boolean;
  filters: unknown[];
}


/** Every `Type: SQS` event of every AWS::Serverless::Function, resolved. */
export function readQueueMappings(source: TemplateSource): LocalQueueMapping[] {
  return source.ofType('AWS::Serverless::Function').flatMap(([functionLogicalId, resource]) => {
    const events = resource.Properties?.Events;
    return Object.entries(isObject(events) ? events : {}).flatMap(([eventName, event]) => {
      if (!isObject(event) || event.Type !== 'SQS') return [];
      const properties = resolve(event.Properties ?? {}, source.context) as Record<string, unknown>;
      const filters = isObject(properties.FilterCriteria) && Array.isArray(properties.FilterCriteria.Filters) ? properties.FilterCriteria.Filters : [];
      return [{
        id: `${functionLogicalId}.${eventName}`,
        functionLogicalId,
        queueArn: text(properties.Queue),
        batchSize: Number(properties.BatchSize ?? 10),
        maximumBatchingWindowSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
        reportBatchItemFailures: Array.isArray(properties.FunctionResponseTypes) && properties.FunctionResponseTypes.includes('ReportBatchItemFailures'),
        enabled: properties.Enabled !== false,
        filters: filters.filter(isObject).map((filter) => JSON.parse(text(filter.Pattern)) as unknown),
      }];
    });
  });
}

/** Every `Type: DynamoDB` event of every AWS::Serverless::Function (with Globals.Function), resolved. */
export function readStreamMappings(source: TemplateSource): LocalStreamMapping[] {
  return source.ofType('AWS::Serverless::Function').flatMap(([functionLogicalId, resource]) => {
    const events = resource.Properties?.Events;
    return Object.entries(isObject(events) ? events : {}).flatMap(([eventName, event]) => {
      if (!isObject(event) || event.Type !== 'DynamoDB') return [];
      const properties = resolve(event.Properties ?? {}, source.context) as Record<string, unknown>;
      const where = `${functionLogicalId}.Events.${eventName}`;
      const startingPosition = text(properties.StartingPosition, 'LATEST');
      if (startingPosition !== 'LATEST' && startingPosition !== 'TRIM_HORIZON') throw new TemplateError(`${where}: StartingPosition ${startingPosition} is not one a DynamoDB stream takes`);
      const onFailure = isObject(properties.DestinationConfig) && isObject(properties.DestinationConfig.OnFailure) ? properties.DestinationConfig.OnFailure.Destination : undefined;
      const filters = isObject(properties.FilterCriteria) && Array.isArray(properties.FilterCriteria.Filters) ? properties.FilterCriteria.Filters : [];
      return [{
        id: `${functionLogicalId}.${eventName}`,
        functionLogicalId,
        streamArn: text(properties.Stream),
        startingPosition,
        batchSize: Number(properties.BatchSize ?? 100),
        maximumBatchingWindowSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
        bisectBatchOnFunctionError: properties.BisectBatchOnFunctionError === true,
        maximumRetryAttempts: Number(properties.MaximumRetryAttempts ?? -1),
        maximumRecordAgeSeconds: Number(properties.MaximumRecordAgeInSeconds ?? -1),
        reportBatchItemFailures: Array.isArray(properties.FunctionResponseTypes) && properties.FunctionResponseTypes.includes('ReportBatchItemFailures'),
        ...(onFailure === undefined ? {} : { onFailure: text(onFailure) }),
        enabled: properties.Enabled !== false,
        filters: filters.filter(isObject).map((filter) => JSON.parse(text(filter.Pattern)) as unknown),
      }];
    });
  });
}
