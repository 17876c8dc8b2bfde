import { ConflictException } from 'pip-services3-commons-nodex';
import { SessionsErrorCode } from '../data/version1/SessionsErrorCatalogue';

/** A write that needs an active session found it closed (409 SESSION_CLOSED). */
export class SessionClosedException extends ConflictException {
    public constructor(correlationId: string | null) {
        super(correlationId ?? undefined, SessionsErrorCode.SESSION_CLOSED, 'The session is closed');
        // The toolkit's constructor pins the prototype to ConflictException's; restore ours so instanceof works.
        Object.setPrototypeOf(this, SessionClosedException.prototype);
    }
}
