import type { TemplateSource } from './template-source';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export interface LocalTable {
  logicalId: string;
  name: string;
  keySchema: { AttributeName: string; KeyType: string }[];
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  /** StreamSpecification, when the table has a stream: its view type and the ARN `!GetAtt T.StreamArn` gives. */
  stream?: { viewType: StreamViewType; arn: string };
  /** GlobalSecondaryIndexes as the template declares them (dynalite serves Query on them). */
  globalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string; KeyType: string }[]; Projection: { ProjectionType?: string; NonKeyAttributes?: string[] } }[];
}

const VIEW_TYPES = new Set<string>(['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']);

/** Each AWS::DynamoDB::Table: its stack-prefixed name, the key schema and indexes dynalite creates it with, and its stream. */
export function readTables(source: TemplateSource): LocalTable[] {
  return source.ofType('AWS::DynamoDB::Table').map(([logicalId, resource]) => {
    const spec = resource.Properties?.StreamSpecification as { StreamViewType?: unknown } | undefined;
    const viewType = typeof spec?.StreamViewType === 'string' && VIEW_TYPES.has(spec.StreamViewType) ? (spec.StreamViewType as StreamViewType) : undefined;
    return {
      logicalId,
      name: source.physical.table(logicalId),
      keySchema: resource.Properties?.KeySchema as LocalTable['keySchema'],
      attributeDefinitions: resource.Properties?.AttributeDefinitions as LocalTable['attributeDefinitions'],
      ...(viewType ? { stream: { viewType, arn: source.physical.tableStreamArn(logicalId) } } : {}),
      ...(Array.isArray(resource.Properties?.GlobalSecondaryIndexes)
        ? { globalSecondaryIndexes: resource.Properties.GlobalSecondaryIndexes as NonNullable<LocalTable['globalSecondaryIndexes']> }
        : {}),
    };
  });
}
