/** RFC 3986 encoding of each key segment, as S3 signs paths (slashes kept). */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** Where a bucket's objects live: the host to call and the path its keys go under. */
export interface S3BucketUrl {
  protocol: string;
  hostname: string;
  port?: number;
  /** `hostname[:port]`, the Host header. */
  host: string;
  /** The path before `/<key>`: the endpoint's own path, and `/<bucket>` in path style. */
  basePath: string;
}

/**
 * A bucket's URL, as the SDK resolves it for a custom or the regional endpoint: virtual-hosted
 * (`<bucket>.<host>`) unless path style is asked for (S3_FORCE_PATH_STYLE; s3rver has no virtual
 * hosts) or the bucket name has dots, which cannot be a host name under the wildcard TLS certificate.
 */
export function s3BucketUrl(options: { endpoint?: string | undefined; region: string; bucket: string; forcePathStyle: boolean }): S3BucketUrl {
  const base = new URL(options.endpoint ?? `https://s3.${options.region}.amazonaws.com`);
  const pathStyle = options.forcePathStyle || options.bucket.includes('.');
  const hostname = pathStyle ? base.hostname : `${options.bucket}.${base.hostname}`;
  const port = base.port === '' ? undefined : Number(base.port);
  return {
    protocol: base.protocol,
    hostname,
    ...(port === undefined ? {} : { port }),
    host: port === undefined ? hostname : `${hostname}:${String(port)}`,
    basePath: `${base.pathname.replace(/\/$/, '')}${pathStyle ? `/${options.bucket}` : ''}`,
  };
}
