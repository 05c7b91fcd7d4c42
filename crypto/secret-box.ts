import { open, seal } from './aead';
import { deriveKey } from './keys';

/**
 * Seals deployment-level secrets (such as a client's Graph access token) under a key derived from the
 * master key. The aad binds a sealed value to its owner so it cannot be copied to another row.
 */
export interface SecretBox {
  seal(plaintext: string, aad: string): string;
  open(sealed: string, aad: string): string;
}

export function createSecretBox(master: Buffer): SecretBox {
  const k = { id: 'dep1', key: deriveKey(master, 'secret-box') };
  return {
    seal: (plaintext, aad) => seal(k, plaintext, aad),
    open: (sealed, aad) => open((id) => (id === k.id ? k.key : undefined), sealed, aad).toString('utf8'),
  };
}
