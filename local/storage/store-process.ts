import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import S3rver from 's3rver';

/*
 * Runs one storage emulator in its own process (the runtime forks this file): dynalite and
 * s3rver are CPU-heavy, and keeping them off the runtime's event loop lets the runtime, the
 * execution environments and the stores use both cores. Sends {port} to the parent when ready.
 *
 * argv: dynalite <dir> <port> | s3rver <dir> <port> <bucket,bucket,...>
 */
const [, , kind, directory, portArgument, bucketList] = process.argv;
const port = Number(portArgument ?? 0);
let stop: () => Promise<unknown>;

if (kind === 'dynalite') {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(directory ? { path: directory } : {}) });
  server.listen(port, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  stop = () => new Promise((resolve) => server.close(resolve));
} else if (kind === 's3rver') {
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    ...(directory ? { directory } : {}),
    configureBuckets: (bucketList ?? '').split(',').filter(Boolean).map((name) => ({ name, configs: [] })),
  });
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
