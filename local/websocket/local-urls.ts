import type { LocalFunction, LocalWebSocketApi } from '../template/local-template';

/**
 * Points the functions' WebSocket URLs at the local gateway. The template gives them the AWS form,
 * `wss://{api}.execute-api.{region}.amazonaws.com/{stage}` for clients and `https://…/{stage}` for
 * the @connections API; locally both are served at `origin` (http://host:port), as ws:// and http://.
 */
export function localizeWebSocketUrls(functions: readonly LocalFunction[], apis: readonly LocalWebSocketApi[], region: string, origin: string): LocalFunction[] {
  const local = new URL(origin);
  const rewrite = (value: string) =>
    apis.reduce(
      (current, api) =>
        current
          .replaceAll(`wss://${api.apiId}.execute-api.${region}.amazonaws.com`, `ws://${local.host}`)
          .replaceAll(`https://${api.apiId}.execute-api.${region}.amazonaws.com`, `http://${local.host}`),
      value,
    );
  return functions.map((fn) => ({ ...fn, environment: Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, rewrite(value)])) }));
}
