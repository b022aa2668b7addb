import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ReceiptLinkSigner } from '#ports/receipt-store';
import { encodeKey, s3BucketUrl } from './s3-object-url';

export interface S3PresignedLinksOptions {
  bucket: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** The S3 endpoint (AWS_ENDPOINT_URL_S3 locally); default `https://s3.<region>.amazonaws.com`. */
  endpoint?: string;
  /** Bucket in the path rather than the host name, as S3_FORCE_PATH_STYLE asks (s3rver has no virtual hosts). */
  forcePathStyle?: boolean;
  /** The signing time; tests fix it. */
  now?: () => Date;
}

/**
 * Presigned GET links to receipt objects, signed with SigV4 on their own, as botocore's
 * generate_presigned_url signs them (UNSIGNED-PAYLOAD, host the only signed header, no path
 * re-escaping; tests/contract/receipt-presigner.test.ts holds them equal), without the S3 client,
 * which GET /orders/{id}/receipt never calls. That keeps the S3 client's ~130 KB of
 * serializers and middleware out of GetReceiptFunction's bundle (docs/performance.md).
 */
export class S3PresignedLinks implements ReceiptLinkSigner {
  private readonly signer: SignatureV4;

  constructor(private readonly options: S3PresignedLinksOptions) {
    this.signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
  }

  async linkTo(key: string, expiresInSeconds: number): Promise<string> {
    const { protocol, hostname, port, host, basePath } = s3BucketUrl({ endpoint: this.options.endpoint, region: this.options.region, bucket: this.options.bucket, forcePathStyle: this.options.forcePathStyle === true });
    const path = `${basePath}/${encodeKey(key)}`;
    const signed = await this.signer.presign(
      {
        method: 'GET',
        protocol,
        hostname,
        ...(port === undefined ? {} : { port }),
        path,
        query: {},
        headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      {
        expiresIn: expiresInSeconds,
        // The header only sets the payload hash: as botocore does, it is neither signed nor put in the query.
        unsignableHeaders: new Set(['x-amz-content-sha256']),
        unhoistableHeaders: new Set(['x-amz-content-sha256']),
        ...(this.options.now ? { signingDate: this.options.now() } : {}),
      },
    );
    const query = Object.entries(signed.query ?? {})
      .flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => [name, item] as const) : value === null ? [] : [[name, value] as const]))
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .join('&');
    return `${signed.protocol}//${signed.headers.host ?? hostname}${signed.path}?${query}`;
  }
}
