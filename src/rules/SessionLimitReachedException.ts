import { ConflictException } from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** open_session under the reject policy found the user at max_sessions_per_user (409 SESSION_LIMIT_REACHED). */
export class SessionLimitReachedException extends ConflictException {
    public constructor(correlationId: string | null, max: number) {
        super(correlationId ?? undefined, SessionsErrorCode.SESSION_LIMIT_REACHED,
            'The user already has the most active sessions allowed (' + max + ')');
        this.withDetails('max_sessions_per_user', max);
        // The toolkit's constructor pins the prototype to ConflictException's; restore ours so instanceof works.
        Object.setPrototypeOf(this, SessionLimitReachedException.prototype);
    }
}
