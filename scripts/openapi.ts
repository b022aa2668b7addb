import { writeFileSync } from 'node:fs';
import { CLIENT_TYPES_PATH, OPENAPI_PATH, apiSchemas, clientTypes, openApiYaml } from './api-contract/openapi';

/** npm run openapi: rewrites docs/openapi.yaml and the client's generated types from the handlers' schemas. */
async function main(): Promise<void> {
  const schemas = apiSchemas();
  writeFileSync(OPENAPI_PATH, openApiYaml(schemas));
  writeFileSync(CLIENT_TYPES_PATH, await clientTypes(schemas));
  console.log(`Wrote ${OPENAPI_PATH} and ${CLIENT_TYPES_PATH}`);
}

void main();
