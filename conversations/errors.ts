/**
 * What reaching a conversation can refuse with. The API's one error middleware turns these into
 * responses (api/errors.ts): 404 `not_found` and 409 `conflict`.
 */

/** The ref names no conversation of this client, or its workflow has ended. */
export class ConversationNotFoundError extends Error {
  constructor() {
    super('conversation not found');
    this.name = 'ConversationNotFoundError';
  }
}

/** What a refusal says about why and who: the validator's `Refusal` type and the owning agent. */
export interface RefusalDetails {
  reason?: string | null;
  /** The owning agent (`agent:<keyId>`). */
  owner?: string;
  /** The label the client gave that agent's key. */
  ownerLabel?: string;
}

/** An update's validator refused (the conversation is another agent's, already resolved, …). */
export class UpdateRefusedError extends Error {
  constructor(
    message: string,
    /** Absent when the refusal was not a typed `ApplicationFailure`. */
    readonly details?: RefusalDetails,
  ) {
    super(message);
    this.name = 'UpdateRefusedError';
  }
}
