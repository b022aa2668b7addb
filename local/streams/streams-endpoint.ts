import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, refusedUnsigned, sendJson } from '../http-endpoints';
import type { LocalTable } from '../template/local-template';
import { SHARD_ID, type StreamLog, sequenceNumber } from './stream-log';

/*
 * The DynamoDB Streams API (`X-Amz-Target: DynamoDBStreams_20120810.<Operation>`, JSON 1.0) over the
 * runtime's stream logs, for the AWS CLI (`aws dynamodbstreams get-records`) and SDKs: ListStreams,
 * DescribeStream, GetShardIterator and GetRecords. Each stream has its one shard; an iterator is
 * the stream ARN and a position, and does not expire.
 */

class StreamsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Iterator {
  arn: string;
  position: number;
}

const encode = (iterator: Iterator) => Buffer.from(JSON.stringify(iterator)).toString('base64');

function decode(text: unknown): Iterator {
  try {
    const parsed = JSON.parse(Buffer.from(String(text), 'base64').toString('utf8')) as Partial<Iterator>;
    if (typeof parsed.arn === 'string' && typeof parsed.position === 'number') return { arn: parsed.arn, position: parsed.position };
  } catch {
    // Falls through to the error below.
  }
  throw new StreamsApiError('ValidationException', 'Invalid ShardIterator');
}

/** Handles one operation; `logs` by stream ARN, `tables` for the key schemas DescribeStream returns. */
export function streamsOperation(operation: string, input: Record<string, unknown>, logs: ReadonlyMap<string, StreamLog>, tables: LocalTable[]): unknown {
  const find = (arn: unknown): StreamLog => {
    const log = typeof arn === 'string' ? logs.get(arn) : undefined;
    if (!log) throw new StreamsApiError('ResourceNotFoundException', `Requested resource not found: Stream: ${String(arn)} not found`);
    return log;
  };
  const label = (log: StreamLog) => log.definition.streamArn.split('/stream/')[1] ?? '';
  switch (operation) {
    case 'ListStreams':
      return {
        Streams: [...logs.values()]
          .filter((log) => input.TableName === undefined || log.definition.tableName === input.TableName)
          .map((log) => ({ StreamArn: log.definition.streamArn, TableName: log.definition.tableName, StreamLabel: label(log) })),
      };
    case 'DescribeStream': {
      const log = find(input.StreamArn);
      const table = tables.find((candidate) => candidate.name === log.definition.tableName);
      return {
        StreamDescription: {
          StreamArn: log.definition.streamArn,
          StreamLabel: label(log),
          StreamStatus: 'ENABLED',
          StreamViewType: log.definition.viewType,
          CreationRequestDateTime: 0,
          TableName: log.definition.tableName,
          KeySchema: table?.keySchema ?? [],
          Shards: [{ ShardId: SHARD_ID, SequenceNumberRange: { StartingSequenceNumber: sequenceNumber(1) } }],
        },
      };
    }
    case 'GetShardIterator': {
      const log = find(input.StreamArn);
      if (input.ShardId !== SHARD_ID) throw new StreamsApiError('ResourceNotFoundException', `Requested resource not found: Shard: ${String(input.ShardId)} in Stream: ${log.definition.streamArn} not found`);
      const at = Number(input.SequenceNumber);
      const position =
        input.ShardIteratorType === 'TRIM_HORIZON' ? 0
        : input.ShardIteratorType === 'LATEST' ? log.length
        : input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' && Number.isInteger(at) && at > 0 ? at - 1
        : input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER' && Number.isInteger(at) && at > 0 ? at
        : undefined;
      if (position === undefined) throw new StreamsApiError('ValidationException', 'ShardIteratorType must be TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER (the last two with a SequenceNumber)');
      return { ShardIterator: encode({ arn: log.definition.streamArn, position }) };
    }
    case 'GetRecords': {
      const iterator = decode(input.ShardIterator);
      const log = find(iterator.arn);
      const limit = Number(input.Limit ?? 1000);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new StreamsApiError('ValidationException', 'Limit must be between 1 and 1000');
      const records = log.read(iterator.position, limit);
      return { Records: records, NextShardIterator: encode({ arn: iterator.arn, position: iterator.position + records.length }) };
    }
    default:
      throw new StreamsApiError('UnknownOperationException', `Operation ${operation} is not emulated locally (served: ListStreams, DescribeStream, GetShardIterator, GetRecords)`);
  }
}

/** The DynamoDB Streams endpoint (AWS_ENDPOINT_URL_DYNAMODB_STREAMS). */
export function streamsEndpoint(logs: ReadonlyMap<string, StreamLog>, tables: LocalTable[]) {
  const headers = { 'Content-Type': 'application/x-amz-json-1.0' };
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (refusedUnsigned(request, response, (type, message) => ({ __type: type, message }))) return;
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = await readBody(request, 1024 * 1024);
    try {
      const parsed: unknown = body?.length ? JSON.parse(body.toString('utf8')) : {};
      if (typeof parsed !== 'object' || parsed === null) throw new StreamsApiError('SerializationException', 'Request body must be a JSON object');
      sendJson(response, 200, streamsOperation(target.split('.')[1] ?? '', parsed as Record<string, unknown>, logs, tables), headers);
    } catch (error) {
      const type = error instanceof StreamsApiError ? error.type : error instanceof SyntaxError ? 'SerializationException' : undefined;
      if (!type) throw error;
      sendJson(response, 400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: (error as Error).message }, { ...headers, 'x-amzn-ErrorType': type });
    }
  };
}
