import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP pass-through in front of an emulator, used only in fault-injection mode: `outage(ms)`
 * drops every connection for that long, as a briefly unreachable endpoint does.
 */
export class OutageProxy {
  private downUntil = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** Connections refused while down, and open ones cut when the outage began. */
  refused = 0;

  constructor(
    private readonly targetPort: number,
    /** Where the store listens (its bind address, or loopback for a wildcard bind). */
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((client) => {
      if (Date.now() < this.downUntil) {
        this.refused += 1;
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      const forget = () => {
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', forget).on('close', forget);
      upstream.on('error', forget).on('close', forget);
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  }

  /** Drops open connections and refuses new ones for `ms`. */
  outage(ms: number): void {
    this.downUntil = Date.now() + ms;
    this.refused += this.sockets.size / 2;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      if (this.server) this.server.close(() => { resolve(); });
      else resolve();
    });
  }
}
