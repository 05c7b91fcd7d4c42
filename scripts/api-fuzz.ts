import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
/** `scripts/install-schemathesis.sh` puts it there. */
export const SCHEMATHESIS = path.join(ROOT, '.tools', 'schemathesis', 'bin', 'st');

export interface FuzzOptions {
  apiUrl: string;
  /** A client API key carrying every scope. */
  apiKey: string;
  adminToken: string;
  /** Test cases per operation and phase. */
  maxExamples: number;
  seed?: number;
  workers?: number;
  /** Phases to run (default coverage and fuzzing). */
  phases?: string[];
  /** Ids of resources that exist, by operation (`GET /v1/orders/{id}` → `{id: 'o-1'}`), so cases reach past the 404. */
  fixtures?: Record<string, Record<string, string>>;
}

const toml = (value: string) => JSON.stringify(value);

/** schemathesis's configuration: the document's security schemes get our credentials, operations their fixtures. */
function configFile(opts: FuzzOptions): string {
  const lines = [
    '[auth.openapi.apiKey]',
    'bearer = "${AURA_FUZZ_API_KEY}"',
    '[auth.openapi.adminToken]',
    'bearer = "${AURA_FUZZ_ADMIN_TOKEN}"',
    // Every route answers an unknown method with a 404 already seen; the bound goes to real inputs.
    '[phases.coverage]',
    'unexpected-methods = []',
  ];
  for (const [name, params] of Object.entries(opts.fixtures ?? {})) {
    const values = Object.entries(params).map(([k, v]) => `${toml(k)} = ${toml(v)}`);
    lines.push('[[operations]]', `include-name = ${toml(name)}`, `parameters = { ${values.join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}

export interface FuzzResult {
  code: number;
  /** schemathesis's whole output. */
  output: string;
  /** Its closing summary (operations, test cases, checks). */
  summary: string;
}

/**
 * Runs schemathesis against the live API's `/openapi.json` over every documented `/v1` and
 * `/admin/v1` operation, authenticated by the document's own security schemes (a client key with
 * every scope, the admin token), with every check it has that applies to a single response:
 * no 5xx, status codes, content types, headers and bodies as documented, invalid input refused.
 */
export async function runApiFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aura-fuzz-'));
  const config = path.join(dir, 'schemathesis.toml');
  writeFileSync(config, configFile(opts));
  const args = [
    '--no-color',
    '--config-file',
    config,
    'run',
    `${opts.apiUrl}/openapi.json`,
    '--include-path-regex',
    '^/(v1|admin/v1)/',
    '--checks',
    'not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection',
    '--max-examples',
    String(opts.maxExamples),
    '--phases',
    (opts.phases ?? ['coverage', 'fuzzing']).join(','),
    // One worker: schemathesis's generators race in CPython 3.11's parser across threads.
    '--workers',
    String(opts.workers ?? 1),
    '--seed',
    String(opts.seed ?? 1),
    '--request-timeout',
    '30',
    '--suppress-health-check',
    'all',
  ];
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(SCHEMATHESIS, args, {
        cwd: dir,
        env: {
          ...process.env,
          AURA_FUZZ_API_KEY: opts.apiKey,
          AURA_FUZZ_ADMIN_TOKEN: opts.adminToken,
          SCHEMATHESIS_HOOKS: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        const at = output.lastIndexOf('SUMMARY');
        resolve({ code: code ?? 1, output, summary: at >= 0 ? output.slice(at) : output.slice(-2000) });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
