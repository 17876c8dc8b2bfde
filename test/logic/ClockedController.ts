import { SessionsController } from '../../src/logic/SessionsController';

/** A controller whose clock the test sets. */
export class ClockedController extends SessionsController {
    // Starts at the real minute, not a fixed date: Redis expires closed sessions by its own clock (their TTL).
    public time = Math.floor(Date.now() / 60000) * 60000;

    protected now(): number {
        return this.time;
    }
}
