import { type LocalApi, readApis } from './readers/apis';
import { type LocalBucket, readBuckets } from './readers/buckets';
import { type LocalQueueMapping, type LocalStreamMapping, readQueueMappings, readStreamMappings } from './readers/event-sources';
import { type LocalArchive, type LocalEventBus, type LocalRule, readArchives, readEventBuses, readRules } from './readers/events';
import { type LocalQueue, readQueues } from './readers/queues';
import { type LocalFunction, readFunctions } from './readers/functions';
import { type LocalManagedPolicy, readManagedPolicies } from './readers/managed-policies';
import { type LocalStateMachine, readStateMachines } from './readers/state-machines';
import { type LocalSecret, readSecrets } from './readers/secrets';
import { type LocalTable, readTables } from './readers/tables';
import { type LocalWebSocketApi, readWebSocketApis } from './readers/websocket-apis';
import { type LoadOptions, openTemplate } from './readers/template-source';

/*
 * Reads template.yaml and turns the resources the local runtime emulates into plain, resolved
 * descriptions, one reader per resource type (readers/). Nothing here knows the project's functions
 * by name. This module is the template's one entry point: the runtime, tests and benchmarks import
 * the descriptions' types from here.
 */

export type { LocalApi } from './readers/apis';
export type { LocalManagedPolicy } from './readers/managed-policies';
export type { LocalBucket } from './readers/buckets';
export type { LocalQueueMapping, LocalStreamMapping } from './readers/event-sources';
export type { LocalArchive, LocalEventBus, LocalRule, LocalRuleTarget } from './readers/events';
export type { LocalQueue } from './readers/queues';
export type { LocalApiRoute, LocalFunction } from './readers/functions';
export type { LocalLayer } from './readers/layers';
export type { LocalStateMachine } from './readers/state-machines';
export type { LocalTable, StreamViewType } from './readers/tables';
export type { LocalSecret, SecretGenerator } from './readers/secrets';
export type { LocalWebSocketApi, LocalWebSocketRoute } from './readers/websocket-apis';
export type { LoadOptions } from './readers/template-source';

export interface LocalTemplate {
  region: string;
  accountId: string;
  functions: LocalFunction[];
  tables: LocalTable[];
  buckets: LocalBucket[];
  stateMachines: LocalStateMachine[];
  apis: LocalApi[];
  /** Functions' `Type: DynamoDB` events. */
  streamMappings: LocalStreamMapping[];
  /** Functions' `Type: SQS` events. */
  queueMappings: LocalQueueMapping[];
  queues: LocalQueue[];
  eventBuses: LocalEventBus[];
  rules: LocalRule[];
  archives: LocalArchive[];
  webSocketApis: LocalWebSocketApi[];
  secrets: LocalSecret[];
  /** AWS::IAM::ManagedPolicy resources: the local gateway's AWS_IAM routes check them. */
  managedPolicies: LocalManagedPolicy[];
}

/** Loads and resolves template.yaml for the local runtime. */
export function loadLocalTemplate(options: LoadOptions): LocalTemplate {
  const source = openTemplate(options);
  // APIs first: a function's Api events take their default auth from the API they name.
  const apis = readApis(source);
  const functions = readFunctions(source, apis);
  return {
    region: source.region,
    accountId: source.accountId,
    functions,
    tables: readTables(source),
    buckets: readBuckets(source),
    stateMachines: readStateMachines(source),
    apis,
    streamMappings: readStreamMappings(source),
    queueMappings: readQueueMappings(source),
    queues: readQueues(source),
    eventBuses: readEventBuses(source),
    rules: readRules(source),
    archives: readArchives(source),
    webSocketApis: readWebSocketApis(source),
    secrets: readSecrets(source),
    managedPolicies: readManagedPolicies(source),
  };
}
