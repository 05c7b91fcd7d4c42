import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The local-development profile: secrets that are not set in the environment are generated once and
 * kept in `<dataDir>/secrets.json` (git-ignored, mode 0600), so restarts keep the same keys.
 */
export interface LocalSecrets {
  AURA_ADMIN_TOKEN: string;
  AURA_MASTER_KEY: string;
  WHATSAPP_APP_SECRET: string;
  WHATSAPP_VERIFY_TOKEN: string;
}

const generators: Record<keyof LocalSecrets, () => string> = {
  AURA_ADMIN_TOKEN: () => randomBytes(24).toString('base64url'),
  AURA_MASTER_KEY: () => randomBytes(32).toString('base64'),
  WHATSAPP_APP_SECRET: () => randomBytes(16).toString('hex'),
  WHATSAPP_VERIFY_TOKEN: () => randomBytes(12).toString('base64url'),
};

/** Returns the local secrets file's content, creating any missing secret first. */
export function ensureLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  mkdirSync(dataDir, { recursive: true });
  const existing: Partial<LocalSecrets> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>)
    : {};
  const secrets = { ...existing } as LocalSecrets;
  let changed = false;
  for (const [name, generate] of Object.entries(generators) as [keyof LocalSecrets, () => string][]) {
    if (!secrets[name]) {
      secrets[name] = generate();
      changed = true;
    }
  }
  if (changed) writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** The environment for the local profile: what is set wins, generated secrets fill the gaps. */
export function localEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const dataDir = env.AURA_DATA_DIR ?? '.data';
  const secrets = ensureLocalSecrets(dataDir);
  const filled: Record<string, string | undefined> = {
    ...env,
    AURA_PROFILE: 'local',
    AURA_DATA_DIR: dataDir,
  };
  for (const [name, value] of Object.entries(secrets)) {
    if (!filled[name]) filled[name] = value;
  }
  // The dev server's UI calls the codec from its own origin, which moves with its port.
  const uiPort = env.TEMPORAL_DEV_UI_PORT?.trim() || '8233';
  filled.AURA_CODEC_CORS_ORIGINS ||= `http://localhost:${uiPort},http://127.0.0.1:${uiPort}`;
  return filled;
}
