import { RequestHeaders } from '../../../local/apigateway/headers';
import { IamAuthorizer, type LocalIamPrincipal } from '../../../local/apigateway/iam-auth';
import { GatewayRejection } from '../../../local/apigateway/gateway-responses';
import { verifySigV4 } from '#api/sigv4';
import { signRequest } from '../../support/sigv4-signer';

const CREDENTIALS = { accessKeyId: 'AKIATESTINTEGRATOR01', secretAccessKey: 'test-secret' };
const NOW = Date.UTC(2026, 11, 1, 10, 15, 0);
const secretFor = (id: string) => (id === CREDENTIALS.accessKeyId ? CREDENTIALS.secretAccessKey : undefined);

/** Signs with the SDK's signer, then presents the request as the gateway receives it. */
async function received(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}, options: { signingDate?: Date; region?: string; service?: string } = {}) {
  const signed = await signRequest(url, init, CREDENTIALS, { signingDate: new Date(NOW), ...options });
  const target = new URL(url);
  const raw = Object.entries(signed.headers).flat();
  return { method: signed.method, path: target.pathname, query: target.search.slice(1), headers: new RequestHeaders(raw), body: Buffer.from(signed.body ?? '') };
}

const verify = (request: Awaited<ReturnType<typeof received>>, now = NOW) => verifySigV4(request, { region: 'us-east-1', now, secretFor });

describe('local SigV4 verification (execute-api)', () => {
  it('accepts what @smithy/signature-v4 signs: body, query and an encoded path', async () => {
    expect(verify(await received('http://127.0.0.1:3000/dev/integrations/orders', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }))).toEqual({ accessKeyId: CREDENTIALS.accessKeyId });
    expect(verify(await received('http://127.0.0.1:3000/dev/admin/orders?status=FAILED&limit=5&cursor=a%2Bb&from=2026-12-01T00%3A00%3A00Z'))).toEqual({ accessKeyId: CREDENTIALS.accessKeyId });
    expect(verify(await received('http://127.0.0.1:3000/dev/admin/orders/ord%20x'))).toEqual({ accessKeyId: CREDENTIALS.accessKeyId });
  });

  it('refuses a tampered body with the canonical string and string-to-sign API Gateway expected', async () => {
    const request = await received('http://127.0.0.1:3000/dev/integrations/orders', { method: 'POST', body: '{"quantity":1}' });
    const result = verify({ ...request, body: Buffer.from('{"quantity":9}') });
    expect(result).toMatchObject({ kind: 'mismatch' });
    const message = (result as { message: string }).message;
    expect(message).toMatch(/^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'POST\n\/dev\/integrations\/orders\n/);
    expect(message).toContain("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261201T101500Z\n20261201/us-east-1/execute-api/aws4_request\n");
  });

  it('refuses a tampered path or query, and a wrong secret', async () => {
    const request = await received('http://127.0.0.1:3000/dev/integrations/orders/ord_a?x=1');
    expect(verify({ ...request, path: '/dev/integrations/orders/ord_b' })).toMatchObject({ kind: 'mismatch' });
    expect(verify({ ...request, query: 'x=2' })).toMatchObject({ kind: 'mismatch' });
    expect(verifySigV4(request, { region: 'us-east-1', now: NOW, secretFor: () => 'other' })).toMatchObject({ kind: 'mismatch' });
  });

  it('allows 5 minutes of clock skew each way, and words the refusal as API Gateway does', async () => {
    const request = await received('http://127.0.0.1:3000/dev/admin/orders');
    expect(verify(request, NOW + 5 * 60_000)).toEqual({ accessKeyId: CREDENTIALS.accessKeyId });
    expect(verify(request, NOW + 5 * 60_000 + 1000)).toEqual({
      kind: 'expired',
      message: 'Signature expired: 20261201T101500Z is now earlier than 20261201T101501Z (20261201T102001Z - 5 min.)',
    });
    expect(verify(request, NOW - 5 * 60_000 - 1000)).toMatchObject({ kind: 'expired', message: expect.stringMatching(/^Signature not yet current: 20261201T101500Z is still later than/) as unknown });
  });

  it('refuses another region or service, an unknown key, and an unsigned request', async () => {
    expect(verify(await received('http://127.0.0.1:3000/dev/admin/orders', {}, { region: 'eu-west-1' }))).toEqual({ kind: 'scope', message: "Credential should be scoped to a valid region, not 'eu-west-1'. " });
    expect(verify(await received('http://127.0.0.1:3000/dev/admin/orders', {}, { service: 'lambda' }))).toEqual({ kind: 'scope', message: "Credential should be scoped to correct service: 'execute-api'. " });
    const request = await received('http://127.0.0.1:3000/dev/admin/orders');
    expect(verifySigV4(request, { region: 'us-east-1', now: NOW, secretFor: () => undefined })).toMatchObject({ kind: 'unknownKey', message: 'The security token included in the request is invalid.' });
    expect(verify({ ...request, headers: new RequestHeaders(['host', '127.0.0.1:3000']) })).toEqual({ kind: 'unsigned' });
  });
});

describe('local AWS_IAM authorizer', () => {
  const integrator: LocalIamPrincipal = { name: 'integrator', ...CREDENTIALS, userArn: 'arn:aws:iam::123456789012:user/erp', userId: 'AIDAERP', policies: ['IntegratorsPolicy'] };
  const policies = [{ logicalId: 'IntegratorsPolicy', statements: [{ effect: 'Allow' as const, action: 'execute-api:Invoke', resources: ['arn:aws:execute-api:us-east-1:123456789012:OrdersApi/dev/GET/integrations/orders/*'] }] }];
  const authorizer = new IamAuthorizer([integrator], policies, { region: 'us-east-1', accountId: '123456789012', clock: () => NOW });

  it('fills the identity for a route the policy allows, and refuses another with AccessDenied and the masked account', async () => {
    const allowed = await received('http://127.0.0.1:3000/dev/integrations/orders/ord_1');
    expect(authorizer.authorize(allowed, authorizer.methodArn('OrdersApi', 'dev', 'GET', '/integrations/orders/ord_1'))).toEqual({
      accountId: '123456789012', caller: 'AIDAERP', accessKey: CREDENTIALS.accessKeyId, user: 'AIDAERP', userArn: 'arn:aws:iam::123456789012:user/erp',
    });
    const denied = authorizer.authorize(await received('http://127.0.0.1:3000/dev/admin/orders'), authorizer.methodArn('OrdersApi', 'dev', 'GET', '/admin/orders'));
    expect(denied).toEqual(new GatewayRejection('ACCESS_DENIED', 403, 'User: arn:aws:iam::123456789012:user/erp is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:OrdersApi/dev/GET/admin/orders', 'AccessDeniedException', 'Message'));
  });

  it('warns of a principal that holds a policy the template does not define, which grants nothing', async () => {
    const orphan = new IamAuthorizer([{ ...integrator, policies: ['Missing'] }], policies, { region: 'us-east-1', accountId: '123456789012', clock: () => NOW });
    expect(orphan.warnings()).toEqual([expect.stringContaining('holds Missing, which this template does not define') as unknown]);
    expect(orphan.authorize(await received('http://127.0.0.1:3000/dev/integrations/orders/ord_1'), orphan.methodArn('OrdersApi', 'dev', 'GET', '/integrations/orders/ord_1'))).toMatchObject({ type: 'ACCESS_DENIED' });
  });
});
