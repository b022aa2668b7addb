import { isIP } from 'node:net';
import type { LocalApiKey } from './apigateway/api-key';
import type { LocalIamPrincipal } from './apigateway/iam-auth';
import { localApiKeysVariable } from './lambda/local-environment';
import { type SamEnvVars, samEnvVarsFor } from './lambda/sam-env-vars';
import type { LocalFunction, LocalManagedPolicy, LocalWebSocketApi } from './template/local-template';
import { localizeWebSocketUrls } from './websocket/local-urls';

/*
 * Where the runtime listens (`npm start -- --host ADDRESS`), how clients on this machine reach it,
 * and how a `sam local` container reaches it (the generated <state-dir>/env.json).
 */

export const DEFAULT_HOST = '127.0.0.1';

/** True for addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\./.test(address);
}

/** True for "every interface". */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The address a client on this machine connects to for a server bound to `bind`. */
export function connectHost(bind: string): string {
  if (bind === '::') return '::1';
  return isWildcard(bind) ? DEFAULT_HOST : bind;
}

/** `http://host:port`, with IPv6 addresses bracketed. */
export function httpUrl(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${String(port)}`;
}

/** How a container started by `sam local` reaches a runtime bound to `bind`. */
export interface ContainerAccess {
  /** The host name or address to put in the container's endpoint URLs. */
  host: string;
  /** `--add-host` value `sam local` needs for that host name on Linux Docker, if any. */
  addHost?: string;
  /** Why a container may not reach the runtime, when it may not. */
  warning?: string;
}

/**
 * A loopback bind is reachable from containers only through Docker Desktop's host forwarding
 * (macOS, Windows): native Linux Docker reaches the host through the bridge gateway, which a server
 * on 127.0.0.1 does not listen on. A wildcard bind is reachable as host.docker.internal, which
 * Linux Docker maps to the gateway with `--add-host host.docker.internal:host-gateway`.
 * A specific address (for example the bridge's 172.17.0.1) is used as it is.
 */
export function containerAccess(bind: string): ContainerAccess {
  if (isLoopback(bind)) {
    return {
      host: 'host.docker.internal',
      warning:
        `The runtime listens on ${bind} only, which a container on native Linux Docker cannot reach (Docker Desktop can). ` +
        'For sam local on Linux, restart with --host 0.0.0.0 (every interface) or --host 172.17.0.1 (the docker0 bridge).',
    };
  }
  if (isWildcard(bind)) return { host: 'host.docker.internal', addHost: 'host.docker.internal:host-gateway' };
  return { host: bind };
}

export interface StoreEndpoints {
  dynamodbPort: number;
  s3Port: number;
  sfnPort: number;
  /** The local Secrets Manager, when the template has secrets. */
  secretsManagerPort?: number;
  /** The local EventBridge (PutEvents), when the template has event buses. */
  eventBridgePort?: number;
  /** The local WebSocket gateway, when the template has WebSocket APIs. */
  webSocket?: { port: number; apis: readonly LocalWebSocketApi[]; region: string };
}

/**
 * The `--env-vars` file for `sam local start-api` / `sam local invoke` against this runtime: the
 * template's resolved variables (table, bucket and state machine names), the emulators' endpoints
 * as a container reaches them, path-style S3 (s3rver has no virtual hosts), and the local API keys.
 * `functions` carry the template's AWS-form WebSocket URLs: the @connections endpoint becomes the
 * gateway as a container reaches it, and the `links.updates` URL the gateway as a browser on this
 * machine reaches it (`clientHost`), since the container only hands that URL out.
 */
/**
 * LOCAL_IAM_PRINCIPALS for sam local: each local IAM user with the routes its managed policies allow,
 * as `METHOD/path` patterns (the method ARN after `{api}/{stage}/`; sam local has no stage in paths).
 */
export function localIamPrincipalsVariable(principals: readonly LocalIamPrincipal[], policies: readonly LocalManagedPolicy[]): string {
  return JSON.stringify(
    principals.map((principal) => ({
      accessKeyId: principal.accessKeyId,
      secretAccessKey: principal.secretAccessKey,
      userArn: principal.userArn,
      allow: policies
        .filter((policy) => principal.policies.includes(policy.logicalId))
        .flatMap((policy) => policy.statements.filter((statement) => statement.effect === 'Allow'))
        .flatMap((statement) => statement.resources)
        .filter((resource) => resource.includes(':execute-api:'))
        .map((resource) => resource.split(':').slice(5).join(':').split('/').slice(2).join('/')),
    })),
  );
}

export function samLocalEnvVars(
  functions: LocalFunction[],
  ports: StoreEndpoints,
  access: ContainerAccess,
  apiKeys: readonly LocalApiKey[],
  iam?: { principals: readonly LocalIamPrincipal[]; policies: readonly LocalManagedPolicy[] },
  clientHost = DEFAULT_HOST,
): SamEnvVars {
  const webSocket = ports.webSocket;
  const localized = webSocket
    ? localizeWebSocketUrls(functions, webSocket.apis, webSocket.region, { client: httpUrl(clientHost, webSocket.port), management: httpUrl(access.host, webSocket.port) })
    : functions;
  return samEnvVarsFor(localized, {
    ...(iam ? { LOCAL_IAM_PRINCIPALS: localIamPrincipalsVariable(iam.principals, iam.policies) } : {}),
    AWS_ENDPOINT_URL_DYNAMODB: httpUrl(access.host, ports.dynamodbPort),
    AWS_ENDPOINT_URL_S3: httpUrl(access.host, ports.s3Port),
    AWS_ENDPOINT_URL_SFN: httpUrl(access.host, ports.sfnPort),
    ...(ports.secretsManagerPort === undefined ? {} : { AWS_ENDPOINT_URL_SECRETS_MANAGER: httpUrl(access.host, ports.secretsManagerPort) }),
    ...(ports.eventBridgePort === undefined ? {} : { AWS_ENDPOINT_URL_EVENTBRIDGE: httpUrl(access.host, ports.eventBridgePort) }),
    S3_FORCE_PATH_STYLE: 'true',
    LOCAL_API_KEYS: localApiKeysVariable(apiKeys),
  });
}

/** The `sam local start-api` command line that uses the generated env.json. */
export function samLocalCommand(envJsonPath: string, access: ContainerAccess): string {
  return ['sam local start-api', `--env-vars ${envJsonPath}`, ...(access.addHost ? [`--add-host ${access.addHost}`] : []), '--port 3100'].join(' ');
}
