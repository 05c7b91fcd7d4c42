import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

/** The lint rule that keeps workflow code deterministic, checked against code that breaks it. */
describe('workflow determinism fence', () => {
  // Only the fence rule, without type information (the probe file does not exist on disk).
  const eslint = new ESLint({
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
  });
  const lint = async (code: string) => {
    const [result] = await eslint.lintText(code, { filePath: 'workflows/conversation/fence-probe.ts' });
    return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').length;
  };

  it('when workflow code imports Node built-ins, pg, express or activity code, then lint fails', async () => {
    assert.equal(await lint("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"), 1);
    assert.equal(await lint("import fs from 'fs';\nexport const x = fs;\n"), 1);
    assert.equal(await lint("import pg from 'pg';\nexport const x = pg;\n"), 1);
    assert.equal(await lint("import express from 'express';\nexport const x = express;\n"), 1);
    assert.equal(
      await lint(
        "import { createActivities } from '../../activities';\nexport const x = createActivities;\n",
      ),
      1,
    );
  });

  it('when workflow code imports activity types only, then lint passes', async () => {
    assert.equal(
      await lint("import type { Activities } from '../../activities';\nexport type X = Activities;\n"),
      0,
    );
  });
});
