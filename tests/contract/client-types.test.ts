import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/template';

/*
 * client-types.check.ts holds the client's generated types equal to the handlers' (zod's inferred
 * request, the response interfaces). Jest does not type-check (ts-jest runs without diagnostics),
 * so this compiles that file with the project's compiler options and fails on any error.
 */
jest.setTimeout(120_000);

function diagnosticsOf(file: string): string[] {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe("the client's types", () => {
  it("compile as equal to the handlers' schemas and response types", () => {
    expect(diagnosticsOf(join(__dirname, 'client-types.check.ts'))).toEqual([]);
  });
});
