import { DecryptionError, open, seal, sealedKeyId } from './aead';
import { deriveKey } from './keys';
import { localKeyId } from './kms';

/**
 * Seals deployment-level secrets (such as a client's Graph access token) under a key derived from the
 * master key. The aad binds a sealed value to its owner so it cannot be copied to another row.
 */
export interface SecretBox {
  seal(plaintext: string, aad: string): string;
  open(sealed: string, aad: string): string;
}

/** Key id of values sealed before sealed secrets named their master key (always the master of the day). */
const LEGACY_KEY_ID = 'dep1';

/**
 * A secret box over the current master key (seals, its fingerprint as the key id, as `LocalKms`
 * names it) and previous ones (still open, during a rotation): `rotate-keys` re-seals what an old
 * one sealed (`resealGraphTokens`), after which the old key is not needed. Values sealed before key
 * ids named the master (`dep1`) open with whichever configured master sealed them.
 */
export function createSecretBox(master: Buffer, previous: readonly Buffer[] = []): SecretBox {
  const keys = new Map(
    [master, ...previous].map((m) => [localKeyId(m), deriveKey(m, 'secret-box')] as const),
  );
  const current = { id: localKeyId(master), key: keys.get(localKeyId(master))! };
  return {
    seal: (plaintext, aad) => seal(current, plaintext, aad),
    open: (sealed, aad) => {
      if (sealedKeyId(sealed) !== LEGACY_KEY_ID)
        return open((id) => keys.get(id), sealed, aad).toString('utf8');
      for (const key of keys.values()) {
        try {
          return open(() => key, sealed, aad).toString('utf8');
        } catch {
          // sealed by another of the configured masters: try the next
        }
      }
      throw new DecryptionError('cannot open sealed value');
    },
  };
}

/** The key id the secret box of this master seals with: values naming another need re-sealing. */
export const secretBoxKeyId = (master: Buffer): string => localKeyId(master);
