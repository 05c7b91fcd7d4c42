import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

/**
 * The conversation's one durable timer, kept across messages. Every message moves the retention
 * deadline later; cancelling and restarting the timer for it cost two history events per message.
 * This timer is restarted only when a deadline comes *earlier* than the one it runs to (a handoff's
 * SLA, say); when it fires before a deadline that moved later, the workflow finds nothing due and
 * waits again, to the new deadline. One timer per retention period instead of two events per message.
 */
export class DeadlineTimer {
  private at: number | undefined;
  private scope: CancellationScope | undefined;
  private fired = false;

  /** Waits until `wake()` holds or the deadline (epoch ms, `undefined`: none) has passed. */
  async until(deadline: number | undefined, wake: () => boolean): Promise<void> {
    if (deadline !== undefined && (this.at === undefined || deadline < this.at)) this.start(deadline);
    await condition(() => this.fired || wake());
    if (this.fired) {
      this.fired = false;
      this.at = undefined;
      this.scope = undefined;
    }
  }

  private start(at: number): void {
    this.scope?.cancel();
    // A timer that fired while a message was handled is replaced: its wake is no longer owed.
    this.fired = false;
    const scope = new CancellationScope();
    this.scope = scope;
    this.at = at;
    scope
      .run(() => sleep(Math.max(1, at - Date.now())))
      .then(
        () => {
          if (this.scope === scope) this.fired = true;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }
}
