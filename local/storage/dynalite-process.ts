import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/*
 * Runs dynalite in its own process (the runtime forks this file): DynamoDB emulation is CPU-heavy,
 * and keeping it off the runtime's event loop roughly doubles throughput. Sends {port} when ready.
 */
const [, , path, portArgument] = process.argv;
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
server.listen(Number(portArgument ?? 0), '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
const stop = () => {
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
