import type { LocalFunction, LocalWebSocketApi } from '../template/local-template';

/** Where the local WebSocket gateway is reached: by clients (the `links.updates` URL a browser opens) and by functions (@connections). */
export interface WebSocketOrigins {
  /** http://host:port as a client on this machine reaches it. */
  client: string;
  /** http://host:port as the functions reach it; differs from `client` for `sam local` containers. */
  management: string;
}

/**
 * Points the functions' WebSocket URLs at the local gateway. The template gives them the AWS form,
 * `wss://{api}.execute-api.{region}.amazonaws.com/{stage}` for clients and `https://…/{stage}` for
 * the @connections API; locally they are served as ws:// and http:// at the given origins.
 */
export function localizeWebSocketUrls(functions: readonly LocalFunction[], apis: readonly LocalWebSocketApi[], region: string, origins: WebSocketOrigins | string): LocalFunction[] {
  const { client, management } = typeof origins === 'string' ? { client: origins, management: origins } : origins;
  const clientHost = new URL(client).host;
  const managementHost = new URL(management).host;
  const rewrite = (value: string) =>
    apis.reduce(
      (current, api) =>
        current
          .replaceAll(`wss://${api.apiId}.execute-api.${region}.amazonaws.com`, `ws://${clientHost}`)
          .replaceAll(`https://${api.apiId}.execute-api.${region}.amazonaws.com`, `http://${managementHost}`),
      value,
    );
  return functions.map((fn) => ({ ...fn, environment: Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, rewrite(value)])) }));
}
