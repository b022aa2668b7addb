import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RuntimeInfo } from '../local/runtime';
import { OrdersApi } from '../tests/support/api-client';

/** One line of the summary table: what was tried, what was required, what was seen. */
export interface Row {
  area: string;
  check: string;
  tried: string;
  required: string;
  observed: string;
  held: boolean;
}

export type Size = 'ci' | 'full';

/** How big each suite runs: `full` meets the numbers, `ci` fits the CI budget. */
export const SIZES = {
  ci: { hostileRequests: 2000, taskInputsPerFunction: 40, chaosOrders: 200, loadSeconds: 10, soakSeconds: 30, soakRate: 10 },
  full: { hostileRequests: 10000, taskInputsPerFunction: 200, chaosOrders: 1000, loadSeconds: 20, soakSeconds: 300, soakRate: 15 },
} as const;

/** Everything a suite needs to talk to the running local runtime. */
export class RuntimeClients {
  readonly api: OrdersApi;
  readonly otherApi: OrdersApi;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;

  constructor(readonly info: RuntimeInfo) {
    const [first, second] = info.apiKeys;
    if (!first || !second) throw new Error('local/config.json must define two API keys');
    this.api = new OrdersApi(info.apiUrl, first.value);
    this.otherApi = new OrdersApi(info.apiUrl, second.value);
    const common = { region: info.region, credentials: info.credentials };
    this.dynamodb = new DynamoDBClient({ ...common, endpoint: info.endpoints.dynamodb });
    this.s3 = new S3Client({ ...common, endpoint: info.endpoints.s3, forcePathStyle: true });
    this.sfn = new SFNClient({ ...common, endpoint: info.endpoints.sfn });
  }

  /** Every item of a table from the template (by logical id). */
  async scan(logicalId: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await this.dynamodb.send(new ScanCommand({ TableName: this.info.tables[logicalId], ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Whether an object exists in a bucket (by logical id). HEAD per object rather than a listing:
   * s3rver 3.7 answers InternalError for the second page of a ListObjectsV2.
   */
  async exists(logicalId: string, key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.info.buckets[logicalId], Key: key }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw error;
    }
  }

  /** Executions of the order state machine, optionally by status. */
  async executions(status?: 'RUNNING' | 'SUCCEEDED' | 'FAILED'): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: Object.values(this.info.stateMachines)[0], statusFilter: status, nextToken: token, maxResults: 1000 }),
      );
      names.push(...(page.executions ?? []).map((execution) => execution.name ?? ''));
      token = page.nextToken;
    } while (token);
    return names;
  }

  close(): void {
    this.dynamodb.destroy();
    this.s3.destroy();
    this.sfn.destroy();
  }
}

/** Runs `work` over items with at most `limit` in flight. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done` is true or the deadline passes; returns whether it became true. */
export async function until(done: () => Promise<boolean>, deadlineMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await sleep(intervalMs);
  }
  return done();
}

export const progress = (line: string) => {
  process.stderr.write(`[reliability] ${line}\n`);
};
