import { ApplicationErrors } from '../logic/ApplicationErrors';
import { SessionsContainerReferences } from './SessionsContainerReferences';
import { SessionsEnvironment } from './SessionsEnvironment';

/**
 * Why the process could not start, as the one line an operator reads: the setting and
 * its value for a refused setting, the message alone for the failures an operator causes
 * (an ApplicationException, or a system error such as EADDRINUSE or EACCES), and the
 * stack only for errors that are bugs, or when asked for (LOG_LEVEL=debug).
 */
export class SessionsStartFailure {
    /** isSet: whether a variable was given (a setting is named by its variable only then). */
    public constructor(private readonly _error: unknown, private readonly _isSet: (name: string) => boolean = () => true) {}

    /** An error an operator can fix from the message alone. */
    public get expected(): boolean {
        if (ApplicationErrors.isApplicationException(this._error)) return true;
        const code = (this._error as { code?: unknown } | null)?.code;
        return typeof code === 'string' && /^E[A-Z]+$/.test(code);
    }

    /** The line: "Cannot start: ..." with no line breaks. */
    public get line(): string {
        return ('Cannot start: ' + this.reason()).replace(/\s*\n\s*/g, ' ');
    }

    /** The stack, for a bug or at debug level; null when there is none. */
    public get stack(): string | null {
        const stack = (this._error as { stack?: unknown } | null)?.stack;
        return typeof stack === 'string' ? stack : null;
    }

    private reason(): string {
        let message = this._error instanceof Error || ApplicationErrors.isApplicationException(this._error)
            ? String((this._error as Error).message) : String(this._error);
        // The toolkit's wrappers ("Connection to mongodb failed") say why only in their cause.
        const cause = ApplicationErrors.isApplicationException(this._error) ? this._error.cause : null;
        if (cause && !message.includes(cause)) message += ': ' + cause;
        const component = SessionsContainerReferences.componentOf(this._error);
        if (component == null) return message;
        const details = ApplicationErrors.isApplicationException(this._error) ? this._error.details : null;
        const where = component.getGroup() + ':' + component.getType() + ':' + component.getKind();
        const key = details?.getAsNullableString('key');
        const allowed = details?.getAsNullableString('allowed');
        if (key == null || allowed == null) return message + ' (' + where + ')';
        const value = JSON.stringify(details?.getAsString('value'));
        // Named as the variable an operator set, when the bundled config takes the setting from one.
        const variable = SessionsEnvironment.forSetting(component.toString(), key);
        return variable != null && this._isSet(variable.name)
            ? variable.name + ' is ' + value + ' (' + key + ' of ' + where + '): allowed is ' + allowed
            : key + ' of ' + where + ' is ' + value + ': allowed is ' + allowed;
    }
}
