import { RequestHeaders } from '../local/apigateway/headers';
import { IamAuthorizer } from '../local/apigateway/iam-auth';
import { signRequest } from '../tests/support/sigv4-signer';

/*
 * npx tsx bench/sigv4-verify.ts: what the local gateway's AWS_IAM check costs per request (SigV4
 * verification plus the policy match), in µs, on a signed POST with an order-sized body and a
 * signed GET with a query. CPU only: no server, no sockets.
 */
const CREDENTIALS = { accessKeyId: 'AKIABENCHINTEGRATOR1', secretAccessKey: 'bench-secret' };
const ITERATIONS = Number(process.argv[2] ?? 20_000);

async function main(): Promise<void> {
  const authorizer = new IamAuthorizer(
    [{ name: 'bench', ...CREDENTIALS, userArn: 'arn:aws:iam::000000000000:user/bench', userId: 'AIDABENCH', policies: ['Bench'] }],
    [{ logicalId: 'Bench', statements: [{ effect: 'Allow', action: 'execute-api:Invoke', resources: ['arn:aws:execute-api:us-east-1:000000000000:OrdersApi/dev/*/integrations/orders*', 'arn:aws:execute-api:us-east-1:000000000000:OrdersApi/dev/GET/admin/orders'] }] }],
    { region: 'us-east-1', accountId: '000000000000' },
  );
  const body = JSON.stringify({ customerId: 'bench', items: [{ sku: 'SKU-1', quantity: 2 }], shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'US' }, payment: { token: 'tok_visa' } });
  const cases = [
    { label: 'POST /integrations/orders (order body)', url: 'http://127.0.0.1:3000/dev/integrations/orders', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body }, arn: 'arn:aws:execute-api:us-east-1:000000000000:OrdersApi/dev/POST/integrations/orders' },
    { label: 'GET /admin/orders?status&limit&cursor', url: 'http://127.0.0.1:3000/dev/admin/orders?status=FAILED&limit=50&cursor=WyJGQUlMRUQiXQ', init: {}, arn: 'arn:aws:execute-api:us-east-1:000000000000:OrdersApi/dev/GET/admin/orders' },
  ];
  for (const entry of cases) {
    const signed = await signRequest(entry.url, entry.init, CREDENTIALS);
    const target = new URL(entry.url);
    const request = { method: signed.method, path: target.pathname, query: target.search.slice(1), headers: new RequestHeaders(Object.entries(signed.headers).flat()), body: Buffer.from(signed.body ?? '') };
    for (let warm = 0; warm < 1000; warm += 1) authorizer.authorize(request, entry.arn);
    const started = process.hrtime.bigint();
    for (let run = 0; run < ITERATIONS; run += 1) {
      const result = authorizer.authorize(request, entry.arn);
      if (!('userArn' in result)) throw new Error(`refused: ${result.message}`);
    }
    const micros = Number(process.hrtime.bigint() - started) / 1000 / ITERATIONS;
    console.log(`${entry.label}: ${micros.toFixed(1)} µs/request (${String(ITERATIONS)} verifications)`);
  }
}

void main();
