import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { StreamCaptureProxy } from '../streams/capture-proxy';
import { inProcessTarget } from '../streams/in-process-target';
import { StreamLogWriter } from '../streams/stream-log';
import { type RequestListener, gateStore } from './store-gate';
import type { StreamsFrontConfig } from './storage';

/*
 * Runs one storage emulator in its own process (the runtime forks this file): dynalite and
 * s3rver are CPU-heavy, and keeping them off the runtime's event loop lets the runtime, the
 * execution environments and the stores use both cores. Sends {port} to the parent when ready.
 *
 * argv: dynalite <dir> <port> <host> [<streams front JSON>] | s3rver <dir> <port> <host> <bucket,bucket,...>
 * With a streams front, the process also sends each stream record it appends ({ stream, record,
 * bytes }), and answers { recover: true } with { repaired } once it has repaired interrupted writes.
 */
const [, , kind, directory, portArgument, hostArgument, extra] = process.argv;
/** s3rver: its buckets; dynalite: the streams front's settings (JSON), when the runtime wants streams. */
const bucketList = kind === 's3rver' ? extra : undefined;
const frontConfig = kind === 'dynalite' ? extra : undefined;
const port = Number(portArgument ?? 0);
const host = hostArgument ?? '127.0.0.1';
let stop: () => Promise<unknown>;

if (kind === 'dynalite') {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(directory ? { path: directory } : {}) });
  // dynalite's handler is the server's one 'request' listener: the gate goes in front of it.
  const [handler] = server.listeners('request') as RequestListener[];
  if (!handler) throw new Error('dynalite created a server without a request handler');
  const front = frontConfig ? streamsFront(JSON.parse(frontConfig) as StreamsFrontConfig, handler) : undefined;
  server.removeAllListeners('request');
  server.on('request', gateStore('dynalite', host, handler));
  if (front) {
    // The streams front takes the port and calls dynalite's handler in memory. dynalite's own server
    // listens on a loopback port nothing is told of, gated as always, only because its close() is what
    // waits for LevelDB's pending operations and closes the store (it refuses a server that never listened).
    Promise.all([front.start(port, host), new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))]).then(
      ([listening]) => process.send?.({ port: listening }),
      (error: unknown) => {
        console.error(`DynamoDB streams front failed to start: ${String(error)}`);
        process.exit(1);
      },
    );
    process.on('message', (message: { recover?: true }) => {
      if (!message.recover) return;
      front.recover().then(
        (repaired) => process.send?.({ repaired }),
        (error: unknown) => process.send?.({ recoverError: String(error) }),
      );
    });
    stop = async () => {
      await front.close();
      await new Promise((resolve) => server.close(resolve));
    };
  } else {
    server.listen(port, host, () => {
      process.send?.({ port: (server.address() as AddressInfo).port });
    });
    stop = () => new Promise((resolve) => server.close(resolve));
  }
} else if (kind === 's3rver') {
  acceptAnyWellFormedAccessKey();
  const server = new S3rver({
    address: host,
    // s3rver never checks SigV4 signatures; with any key accepted it cannot check SigV2 ones
    // either (it does not know the secret). Expiry of presigned URLs is still checked.
    allowMismatchedSignatures: true,
    port,
    silent: true,
    ...(directory ? { directory } : {}),
    configureBuckets: (bucketList ?? '').split(',').filter(Boolean).map((name) => ({ name, configs: [] })),
  });
  // Koa's callback() is the handler s3rver's listen() hands to node:http: the gate goes in front of it.
  // s3rver serves plain HTTP here, so its handler only ever sees node:http messages.
  const callback = server.callback.bind(server) as () => RequestListener;
  server.callback = () => gateStore('s3rver', host, callback()) as ReturnType<S3rver['callback']>;
  server.run().then(
    (address) => process.send?.({ port: address.port }),
    (error: unknown) => {
      console.error(`s3rver failed to start: ${String(error)}`);
      process.exit(1);
    },
  );
  stop = () => server.close();
} else {
  console.error(`Unknown store '${String(kind)}' (dynalite or s3rver)`);
  process.exit(2);
}

const shutdown = () => {
  void stop().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

interface S3rverAccount {
  accessKeys: Map<string, string>;
}

/**
 * s3rver 3.7.1 knows one key pair (S3RVER/S3RVER) and answers InvalidAccessKeyId to any other, so
 * an AWS CLI with the user's own credentials in the environment could not list a bucket. Local AWS
 * emulators accept any credentials: every access key id shaped like AWS's (word characters, at most
 * 128) is taken as s3rver's one account. s3rver looks keys up in `AWSAccount.registry`
 * (lib/middleware/authentication.js), after it has checked a presigned URL's expiry.
 */
function acceptAnyWellFormedAccessKey(): void {
  const load = createRequire(require.resolve('s3rver'));
  const AWSAccount = load('./models/account') as { registry: Map<string, S3rverAccount>; DUMMY_ACCOUNT: S3rverAccount };
  const account = AWSAccount.DUMMY_ACCOUNT;
  const wellFormed = /^\w{1,128}$/;
  class AnyKey<V> extends Map<string, V> {
    constructor(
      entries: Iterable<[string, V]>,
      private readonly fallback: V,
    ) {
      super(entries);
    }
    override get(key: string): V | undefined {
      return super.get(key) ?? (wellFormed.test(key) ? this.fallback : undefined);
    }
  }
  AWSAccount.registry = new AnyKey(AWSAccount.registry, account);
  // SigV2 requests sign with the secret s3rver looks up here: any value lets it compute one (the
  // mismatch is then allowed), where undefined would crash createHmac.
  account.accessKeys = new AnyKey(account.accessKeys, '');
}

/** The streams front over dynalite's handler, with a writer for each table's stream whose records go to the runtime as they are appended. */
function streamsFront(config: StreamsFrontConfig, handler: RequestListener): StreamCaptureProxy {
  const tables = config.tables.map((table) => {
    const log = table.stream ? new StreamLogWriter(table.stream, config.streamsDir, config.region) : undefined;
    log?.onAppend((record, bytes) => process.send?.({ stream: table.stream?.streamArn, record, bytes }));
    return { tableName: table.tableName, keyNames: table.keyNames, log };
  });
  return new StreamCaptureProxy(tables, inProcessTarget(handler));
}
