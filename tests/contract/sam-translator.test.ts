import { join } from 'node:path';
import { runSamTranslator } from '../../local/template/sam-translator-check';
import { requireTranslator, templateWithExposeHeaders } from '../support/sam-translator';
import { ROOT } from '../support/template';

/*
 * CloudFormation runs SAM's translator at deploy time; `sam build` and cfn-lint on the SAM template
 * do not. These run the translator itself (scripts/sam_translate_check.py, with SAM_TRANSLATOR_PYTHON
 * or python3), then cfn-lint on the CloudFormation it produces.
 */
jest.setTimeout(120_000);

describe('template.yaml through SAM\'s own translator', () => {
  it('translates for every samconfig.toml environment, for no overrides and for WorkflowType=EXPRESS, and the translated templates have no cfn-lint errors', async () => {
    const run = requireTranslator(await runSamTranslator({ rootDir: ROOT, templatePath: join(ROOT, 'template.yaml'), lint: true }));
    expect(run.results.map((result) => result.environment)).toEqual(expect.arrayContaining(['(no overrides)', 'default', 'dev', 'prod']));
    expect(run.results.find((result) => result.environment === 'prod')?.parameters).toMatchObject({ Environment: 'prod' });
    // The Express option deploys from the same template: checked on top of prod's overrides.
    expect(run.results.find((result) => result.environment === 'prod + WorkflowType=EXPRESS')?.parameters).toMatchObject({ Environment: 'prod', WorkflowType: 'EXPRESS' });
    expect(run.results.filter((result) => result.translatorErrors.length > 0 || result.lintErrors.length > 0)).toEqual([]);
    expect(run.ok).toBe(true);
  });

  it('rejects a template whose REST API sets Cors.ExposeHeaders, with the translator\'s message (so this check can fail)', async () => {
    const run = requireTranslator(await runSamTranslator({ rootDir: ROOT, templatePath: templateWithExposeHeaders(), parameterOverrides: { Environment: 'prod' } }));
    expect(run.ok).toBe(false);
    expect(run.results[0]?.translatorErrors.join(' ')).toContain("Invalid key 'ExposeHeaders' for 'Cors' property");
  });
});
