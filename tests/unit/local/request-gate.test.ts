import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import { allowedHostNames, contentTypeRefusal, crossOriginRefusal, hasAwsCredentials, hostName, hostRefusal } from '../../../local/request-gate';

const request = (headers: Record<string, string>, method = 'POST', url = '/'): IncomingMessage => ({ headers, method, url }) as unknown as IncomingMessage;
const SIGV4 = `AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'ab'.repeat(32)}`;

describe('request gate', () => {
  it('reads the host name of a Host header: port dropped, IPv6 unbracketed, lower case', () => {
    expect(hostName('LocalHost:3000')).toBe('localhost');
    expect(hostName('[::1]:3000')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
  });

  it('serves the bind address, loopback names and host.docker.internal, and refuses a rebound name', () => {
    const allowed = allowedHostNames('127.0.0.1');
    for (const host of ['localhost:3000', '127.0.0.1:1', '[::1]:2', 'host.docker.internal:8000']) expect(hostRefusal(request({ host }), allowed)).toBeUndefined();
    expect(hostRefusal(request({ host: 'rebound.evil.example:3002' }), allowed)).toContain('DNS rebinding');
    expect(hostRefusal(request({ host: 'localhost.evil.example' }), allowed)).toBeDefined();
    expect(hostRefusal(request({ host: '192.0.2.1:3000' }), allowed)).toBeDefined();
  });

  it("adds this machine's interface addresses for a wildcard bind", () => {
    const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
    const allowed = allowedHostNames('0.0.0.0');
    for (const address of addresses) expect(allowed.has(address.toLowerCase())).toBe(true);
    expect(allowedHostNames('127.0.0.1').has('0.0.0.0')).toBe(false);
  });

  it('accepts well-formed SigV4, and for S3 SigV2 and presigned URLs; nothing else', () => {
    expect(hasAwsCredentials(request({ authorization: SIGV4 }), 'json')).toBe(true);
    expect(hasAwsCredentials(request({}), 'json')).toBe(false);
    expect(hasAwsCredentials(request({ authorization: 'Bearer x' }), 'json')).toBe(false);
    expect(hasAwsCredentials(request({ authorization: 'AWS key:c2ln' }), 'json')).toBe(false);
    expect(hasAwsCredentials(request({ authorization: 'AWS key:c2ln' }), 's3')).toBe(true);
    expect(hasAwsCredentials(request({}, 'GET', '/b/k?X-Amz-Credential=a%2Fb&X-Amz-Signature=00'), 's3')).toBe(true);
    expect(hasAwsCredentials(request({}, 'GET', '/b/k?X-Amz-Signature=00'), 's3')).toBe(false);
  });

  it('refuses other origins and cross-site fetches, and bodies a page can send without a preflight', () => {
    expect(crossOriginRefusal(request({ host: '127.0.0.1:3002', origin: 'http://127.0.0.1:3002' }))).toBeUndefined();
    expect(crossOriginRefusal(request({ host: '127.0.0.1:3002', 'sec-fetch-site': 'none' }))).toBeUndefined();
    expect(crossOriginRefusal(request({ host: '127.0.0.1:3002', origin: 'http://127.0.0.1:3000' }))).toBeDefined();
    expect(crossOriginRefusal(request({ host: '127.0.0.1:3002', 'sec-fetch-site': 'same-site' }))).toBeDefined();
    expect(contentTypeRefusal(request({ 'content-type': 'application/json; charset=utf-8' }))).toBeUndefined();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) expect(contentTypeRefusal(request({ 'content-type': type }))).toBeDefined();
    expect(contentTypeRefusal(request({}))).toBeDefined();
    expect(contentTypeRefusal(request({}, 'GET'))).toBeUndefined();
  });
});
