import { ConditionalCheckFailedException, ProvisionedThroughputExceededException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { OrderStateConflict } from '#domain/errors';
import { DependencyUnavailable, classifyDependencyError } from '#platform/dependency-errors';
import { ProviderUnavailable } from '#ports/provider-errors';
import { awsServiceError } from '../support/fakes';

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { code });
}

describe('classifyDependencyError', () => {
  it.each<[string, Error]>([
    ['a 503 Service Unavailable', awsServiceError('ServiceUnavailable', 503)],
    ['an S3 503 SlowDown', awsServiceError('SlowDown', 503)],
    ['a 500 InternalServerError', awsServiceError('InternalServerError', 500)],
    ['a 429 Too Many Requests', awsServiceError('TooManyRequestsException', 429)],
    [
      'DynamoDB ProvisionedThroughputExceededException (HTTP 400)',
      new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: { httpStatusCode: 400 } }),
    ],
    ['DynamoDB ThrottlingException (HTTP 400)', new ThrottlingException({ message: 'rate exceeded', $metadata: { httpStatusCode: 400 } })],
    ['a generic 400 ThrottlingException', awsServiceError('ThrottlingException', 400)],
    ['an error the SDK marked $retryable', Object.assign(awsServiceError('SomethingRetryable', 400), { $retryable: { throttling: true } })],
    ['a refused connection (ECONNREFUSED)', networkError('ECONNREFUSED')],
    ['a reset connection (ECONNRESET)', networkError('ECONNRESET')],
    ['a connect timeout (ETIMEDOUT)', networkError('ETIMEDOUT')],
    ['a DNS failure (EAI_AGAIN)', networkError('EAI_AGAIN')],
    ['an SDK request TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
  ])('turns %s into DependencyUnavailable, keeping the original as cause', (_, original) => {
    const classified = classifyDependencyError(original);

    expect(classified).toBeInstanceOf(DependencyUnavailable);
    expect(classified).toMatchObject({ name: 'DependencyUnavailable', message: `${original.name}: ${original.message}`, cause: original });
  });

  it.each<[string, Error]>([
    ['a 400 ValidationException', awsServiceError('ValidationException', 400)],
    ['a 403 AccessDeniedException', awsServiceError('AccessDeniedException', 403)],
    ['a 404 ResourceNotFoundException', awsServiceError('ResourceNotFoundException', 404)],
    ['a ConditionalCheckFailedException', new ConditionalCheckFailedException({ message: 'x', $metadata: { httpStatusCode: 400 } })],
    ['a plain programming error', new TypeError("Cannot read properties of undefined (reading 'amount')")],
    ['an error with an unrelated code', networkError('ENOENT')],
  ])('leaves %s as it is', (_, original) => {
    expect(classifyDependencyError(original)).toBe(original);
  });

  it('never re-wraps errors that are already classified as permanent or transient', () => {
    const permanent = Object.assign(new OrderStateConflict('late'), { $metadata: { httpStatusCode: 503 } });
    const transient = new ProviderUnavailable('down');

    expect(classifyDependencyError(permanent)).toBe(permanent);
    expect(classifyDependencyError(transient)).toBe(transient);
  });

  it('passes non-Error values through untouched', () => {
    expect(classifyDependencyError('boom')).toBe('boom');
    expect(classifyDependencyError(undefined)).toBeUndefined();
  });
});
