import { runApiFuzz } from '../../scripts/api-fuzz';
import { provisionClient } from '../../sandbox/provision';
import type { Scenario } from '../scenario';

/** The numbers of schemathesis's closing summary. */
function summaryNumbers(summary: string) {
  const selected = /Selected: (\d+)\/(\d+)/.exec(summary);
  const cases = /(\d+) generated, (\d+) passed(?:, (\d+) failed)?/.exec(summary);
  return {
    operations: Number(selected?.[1] ?? Number.NaN),
    generated: Number(cases?.[1] ?? Number.NaN),
    passed: Number(cases?.[2] ?? Number.NaN),
    failed: Number(cases?.[3] ?? 0),
  };
}

/**
 * The long form of the test command's schemathesis run: every phase (examples, coverage, fuzzing,
 * stateful) over every `/v1` and `/admin/v1` operation of the compiled system, 100 cases per
 * operation (`--quick`: 3, coverage and fuzzing only). Same checks: no 5xx, nothing the document
 * does not say.
 */
export const apiFuzzScenario: Scenario = {
  name: 'api-fuzz',
  description: 'schemathesis over every documented /v1 and /admin/v1 operation, 100 cases each',
  onlyByName: true,
  async run(ctx) {
    const { harness } = ctx.system;
    const client = await provisionClient(harness.apiUrl, harness.adminToken, { name: 'Fuzz Shop' });
    const started = Date.now();
    const result = await runApiFuzz({
      apiUrl: harness.apiUrl,
      apiKey: client.apiKey,
      adminToken: harness.adminToken,
      maxExamples: ctx.quick ? 3 : 100,
      phases: ctx.quick ? ['coverage', 'fuzzing'] : ['examples', 'coverage', 'fuzzing', 'stateful'],
    });
    ctx.log(result.summary);
    const numbers = summaryNumbers(result.summary);
    return {
      rows: [{ ...numbers, exitCode: result.code, seconds: Math.round((Date.now() - started) / 1000) }],
      details: { summary: result.summary },
    };
  },
};
