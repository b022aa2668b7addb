import type { TemplateSource } from './template-source';

export interface LocalBucket {
  logicalId: string;
  name: string;
}

/** Each AWS::S3::Bucket, by its stack-prefixed lower-case name. */
export function readBuckets(source: TemplateSource): LocalBucket[] {
  return source.ofType('AWS::S3::Bucket').map(([logicalId]) => ({ logicalId, name: source.physical.bucket(logicalId) }));
}
