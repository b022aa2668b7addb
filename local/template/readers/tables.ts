import type { TemplateSource } from './template-source';

export interface LocalTable {
  logicalId: string;
  name: string;
  keySchema: { AttributeName: string; KeyType: string }[];
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  /** GlobalSecondaryIndexes as the template declares them (dynalite serves Query on them). */
  globalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string; KeyType: string }[]; Projection: { ProjectionType?: string; NonKeyAttributes?: string[] } }[];
}

/** Each AWS::DynamoDB::Table: its stack-prefixed name and the key schema and indexes dynalite creates it with. */
export function readTables(source: TemplateSource): LocalTable[] {
  return source.ofType('AWS::DynamoDB::Table').map(([logicalId, resource]) => ({
    logicalId,
    name: source.physical.table(logicalId),
    keySchema: resource.Properties?.KeySchema as LocalTable['keySchema'],
    attributeDefinitions: resource.Properties?.AttributeDefinitions as LocalTable['attributeDefinitions'],
    ...(Array.isArray(resource.Properties?.GlobalSecondaryIndexes)
      ? { globalSecondaryIndexes: resource.Properties.GlobalSecondaryIndexes as NonNullable<LocalTable['globalSecondaryIndexes']> }
      : {}),
  }));
}
