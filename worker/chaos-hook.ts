import { unlinkSync } from 'node:fs';

/**
 * The chaos harness's kill point between Meta's acceptance of a send and its record (the window
 * `biz_opaque_callback_data` closes). Off unless `AURA_CHAOS_KILL_AFTER_ACCEPTED` names a file: the
 * harness arms it by creating that file, and the next accepted send removes it and kills this
 * process with SIGKILL, so no shutdown hook runs and nothing is recorded.
 */
export function killAfterAccepted(triggerFile: string | undefined): (() => void) | undefined {
  if (!triggerFile) return undefined;
  return () => {
    try {
      unlinkSync(triggerFile);
    } catch {
      return; // not armed
    }
    process.kill(process.pid, 'SIGKILL');
  };
}
