import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TranslatorRun, translatorPython } from '../../local/template/sam-translator-check';
import { ROOT } from './template';

/** The verdict, or a failed test that says how to get a translator: a missing translator must never pass or skip. */
export function requireTranslator(run: TranslatorRun): Extract<TranslatorRun, { available: true }> {
  if (!run.available) {
    throw new Error(
      `No SAM translator to check template.yaml with (${translatorPython()}: ${run.reason}). Set SAM_TRANSLATOR_PYTHON to a Python ` +
        'that has aws-sam-translator and cfn-lint (CI exports the aws-sam-cli venv), or pip install aws-sam-translator cfn-lint.',
    );
  }
  return run;
}

/**
 * A copy of template.yaml in a temp dir with Cors.ExposeHeaders on the REST API, a key the SAM
 * translator rejects. The ASL folder is linked beside it, because the local runtime reads the
 * definition relative to the template.
 */
export function templateWithExposeHeaders(): string {
  const original = readFileSync(join(ROOT, 'template.yaml'), 'utf8');
  const anchor = "        AllowMethods: \"'GET,POST,OPTIONS'\"\n";
  if (!original.includes(anchor)) throw new Error('template.yaml no longer has the Cors.AllowMethods line this copy edits');
  const dir = mkdtempSync(join(tmpdir(), 'template-expose-headers-'));
  symlinkSync(join(ROOT, 'statemachine'), join(dir, 'statemachine'));
  symlinkSync(join(ROOT, 'layers'), join(dir, 'layers'));
  const path = join(dir, 'template.yaml');
  writeFileSync(path, original.replace(anchor, `${anchor}        ExposeHeaders: "'Location'"\n`));
  return path;
}
