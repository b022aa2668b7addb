import { text } from '../../text';
import { resolve } from '../intrinsics';
import { type TemplateSource, isObject } from './template-source';

export interface LocalQueue {
  logicalId: string;
  name: string;
  arn: string;
  /** What `!Ref Queue` gives (AWS's form); the local endpoint serves it by name. */
  url: string;
  visibilityTimeoutSeconds: number;
  /** MessageRetentionPeriod (default 4 days). */
  retentionSeconds: number;
  fifo: boolean;
  /** RedrivePolicy: after maxReceiveCount receives, a message moves to the dead-letter queue. */
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

/** Each AWS::SQS::Queue, named as CloudFormation would (QueueName, else stack-prefixed). */
export function readQueues(source: TemplateSource): LocalQueue[] {
  return source.ofType('AWS::SQS::Queue').map(([logicalId, resource]) => {
    const redrive = resolve(resource.Properties?.RedrivePolicy ?? null, source.context);
    const policy = typeof redrive === 'string' ? (JSON.parse(redrive) as unknown) : redrive;
    return {
    logicalId,
    name: source.physical.queue(logicalId),
    arn: source.physical.queueArn(logicalId),
    url: source.physical.queueUrl(logicalId),
    visibilityTimeoutSeconds: Number(resource.Properties?.VisibilityTimeout ?? 30),
    retentionSeconds: Number(resource.Properties?.MessageRetentionPeriod ?? 345_600),
    fifo: resource.Properties?.FifoQueue === true || resource.Properties?.FifoQueue === 'true',
    ...(isObject(policy) ? { redrive: { deadLetterTargetArn: text(policy.deadLetterTargetArn), maxReceiveCount: Number(policy.maxReceiveCount) } } : {}),
    };
  });
}
