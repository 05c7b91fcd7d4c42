import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DecryptionError } from '../../crypto/aead';
import { LocalKms } from '../../crypto/kms';
import { SubjectErasedError, SubjectVault } from '../../crypto/vault';
import { createTestDatabase, type TestDatabase } from '../support/env';

describe('subject vault: envelope encryption per end-user', () => {
  let db: TestDatabase;
  const clientId = 'cl_00000000000000000001';
  before(async () => {
    db = await createTestDatabase();
    await db.pool.query("INSERT INTO clients(id, name) VALUES ($1, 'Vault test')", [clientId]);
  });
  after(async () => {
    await db?.drop();
  });

  it('when a value is sealed, then it opens for its subject and field only, and is not stored in clear', async () => {
    const vault = new SubjectVault(db.pool, new LocalKms([randomBytes(32)]));
    const alice = { clientId, subjectHash: 'a'.repeat(64) };
    const bob = { clientId, subjectHash: 'b'.repeat(64) };
    const sealed = await vault.seal(alice, 'message.body', 'Olá, meu endereço é Rua X 12');
    assert.ok(!sealed.includes('Rua'));
    assert.equal(await vault.openText(alice, 'message.body', sealed), 'Olá, meu endereço é Rua X 12');
    await assert.rejects(vault.open(alice, 'contact.name', sealed), DecryptionError);
    await vault.seal(bob, 'x', 'y');
    await assert.rejects(vault.open(bob, 'message.body', sealed), DecryptionError);
    const { rows } = await db.pool.query('SELECT wrapped_key FROM subject_keys WHERE subject_hash = $1', [
      alice.subjectHash,
    ]);
    assert.equal(rows.length, 1);
  });

  it('when the data key is destroyed, then nothing sealed under it can be opened again', async () => {
    const vault = new SubjectVault(db.pool, new LocalKms([randomBytes(32)]));
    const carol = { clientId, subjectHash: 'c'.repeat(64) };
    const sealed = await vault.seal(carol, 'f', 'secret');
    assert.equal(await vault.destroy(carol), true);
    await assert.rejects(vault.open(carol, 'f', sealed), SubjectErasedError);
    // A fresh vault (another process) cannot either.
    await assert.rejects(
      new SubjectVault(db.pool, new LocalKms([randomBytes(32)])).open(carol, 'f', sealed),
      SubjectErasedError,
    );
  });

  it('when the master key rotates, then re-wrapping keeps every value readable under the new key only', async () => {
    const oldMaster = randomBytes(32);
    const newMaster = randomBytes(32);
    // Its own database: re-wrapping covers every key, and the other tests' keys use other masters.
    const own = await createTestDatabase();
    after(() => own.drop());
    await own.pool.query("INSERT INTO clients(id, name) VALUES ($1, 'Rotation test')", [clientId]);
    const dave = { clientId, subjectHash: 'd'.repeat(64) };
    const sealed = await new SubjectVault(own.pool, new LocalKms([oldMaster])).seal(dave, 'f', 'kept');
    const rotating = new SubjectVault(own.pool, new LocalKms([newMaster, oldMaster]));
    assert.equal(await rotating.openText(dave, 'f', sealed), 'kept', 'readable during rotation');
    assert.ok((await rotating.rewrapAll()) >= 1);
    assert.equal(
      await new SubjectVault(own.pool, new LocalKms([newMaster])).openText(dave, 'f', sealed),
      'kept',
    );
    await assert.rejects(
      new SubjectVault(own.pool, new LocalKms([oldMaster])).open(dave, 'f', sealed),
      DecryptionError,
    );
  });
});
