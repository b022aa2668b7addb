import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { RuntimeInfo } from '../../local/runtime';
import { OrdersClient, type OrdersClientOptions } from '#client';

/**
 * The SDK as the tests, benchmarks and reliability suite use it to check the API itself: retries off,
 * so each answer (a 429 or 503 too) reaches the assertion that is about it, and a timeout past any
 * Prefer: wait, so a slow answer under load is measured rather than cut off.
 */
export function apiClient(baseUrl: string, apiKey: string, options: Partial<OrdersClientOptions> = {}): OrdersClient {
  return new OrdersClient({ baseUrl, apiKey, retry: false, timeoutMs: 120_000, ...options });
}

/** Clients for a running local runtime: the orders API as each of two callers, and SDK clients to its DynamoDB, S3 and Step Functions. */
export class RuntimeClients {
  readonly api: OrdersClient;
  readonly otherApi: OrdersClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;

  constructor(readonly info: RuntimeInfo) {
    const [first, second] = info.apiKeys;
    if (!first || !second) throw new Error('local/config.json must define two API keys');
    this.api = apiClient(info.apiUrl, first.value);
    this.otherApi = apiClient(info.apiUrl, second.value);
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
